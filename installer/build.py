"""Build the installable program: `python installer/build.py`.

On Linux: the one-folder bundle dist/tongban/ (PyInstaller, installer/tongban.spec) and the package
dist/tongban_<version>_<arch>.deb. On Windows: the bundle, then the installer
dist/tongban-<version>-setup.exe when Inno Setup's compiler (ISCC.exe) is found.
docs/INSTALL.md explains the steps and what each machine needs. Exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from icon import write_icons
from project import APP_NAME, INSTALLER, ROOT, read_version

# Where Inno Setup's own installer puts the compiler (Windows reads variable names in any case).
PROGRAM_FOLDERS = (
    Path(os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)")),
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files")),
)
INNO_DEFAULT_PLACES = tuple(
    folder / f"Inno Setup {major}" for major in (6, 7) for folder in PROGRAM_FOLDERS
)


def build_bundle(dist: Path, work: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller"),
        str(INSTALLER / "tongban.spec"),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    return dist / APP_NAME


def folder_mib(folder: Path) -> float:
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 2**20


def build_linux_package(bundle: Path, icons: Path, args: argparse.Namespace, version: str) -> None:
    from debian import build_deb

    package = build_deb(bundle, icons, args.work, args.dist, version, args.compression, args.level)
    size = package.path.stat().st_size / 2**20
    print(f"软件包 / package: {package.path} ({size:.0f} MiB, {args.compression} -{args.level})")
    print(f"需要 / requires: glibc >= {package.glibc}")


def find_iscc(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    on_path = shutil.which("ISCC") or shutil.which("iscc")
    if on_path:
        return Path(on_path)
    places = (place / "ISCC.exe" for place in INNO_DEFAULT_PLACES)
    return next((place for place in places if place.is_file()), None)


def build_windows_installer(bundle: Path, icons: Path, dist: Path, iscc: Path | None) -> None:
    compiler = find_iscc(iscc)
    if compiler is None:
        print("未找到 Inno Setup 编译器 ISCC.exe，只生成了程序目录；见 docs/INSTALL.md")
        print("Inno Setup's ISCC.exe not found: only the bundle was built; see docs/INSTALL.md")
        return
    version = read_version()
    defines = {
        "AppVersion": version,
        "BundleDir": bundle,
        "IconFile": icons / "tongban.ico",
        "OutputDir": dist,
    }
    command = [str(compiler), *(f"/D{key}={value}" for key, value in defines.items())]
    subprocess.run([*command, str(INSTALLER / "tongban.iss")], check=True, cwd=INSTALLER)
    print(f"安装程序 / installer: {dist / f'tongban-{version}-setup.exe'}")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="构建通办安装包 / build the Tongban installers")
    parser.add_argument(
        "--compression",
        choices=["gzip", "xz"],
        default="gzip",
        help=".deb 的压缩方式：gzip（默认，快）或 xz（小 15%%，慢数倍）；旧版 dpkg 两者都能读",
    )
    parser.add_argument("--level", type=int, default=6, choices=range(1, 10), metavar="1-9")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="输出目录（默认 dist/）")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="中间文件（默认 build/）")
    parser.add_argument(
        "--reuse-bundle", action="store_true", help="使用输出目录里已有的程序目录，不重新打包"
    )
    parser.add_argument("--iscc", type=Path, help="Windows：ISCC.exe 的位置")
    args = parser.parse_args(argv)
    args.dist, args.work = args.dist.resolve(), args.work.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    version = read_version()
    started = time.monotonic()
    icons = args.work / "icons"
    write_icons(icons)
    bundle = args.dist / APP_NAME
    if not (args.reuse_bundle and bundle.is_dir()):
        bundle = build_bundle(args.dist, args.work)
    print(f"程序目录 / bundle: {bundle} ({folder_mib(bundle):.0f} MiB), tongban {version}")
    print(f"打包用时 / bundle built in {time.monotonic() - started:.0f} s")
    if sys.platform == "win32":
        build_windows_installer(bundle, icons, args.dist, args.iscc)
    else:
        build_linux_package(bundle, icons, args, version)
    print(f"用时 / took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
