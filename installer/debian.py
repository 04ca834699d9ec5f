"""The .deb package: the one-folder bundle under /opt/tongban, a command, a menu entry and an icon.

Built with dpkg-deb alone (no debhelper), so any Debian-based machine with the bundle can build it.
The package depends on what the bundle does not carry: glibc (the highest symbol version any of
its binaries asks for, read with objdump) and the X11/OpenGL libraries that PyInstaller leaves to
the system because they must match its graphics stack, plus the xcb helpers Qt's xcb platform
plugin loads. Compressed with xz or gzip: the zstd that newer dpkg prefers is unknown to the dpkg
of older UOS and Kylin releases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from project import APP_NAME, DESCRIPTION, DISPLAY_NAME

INSTALL_DIR = Path("opt") / APP_NAME
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
MAINTAINER = "Tongban maintainers <tongban@maintainers.invalid>"

# What the bundle needs from the system (Debian 12 names; older releases know the same names
# unless an alternative is given). PyInstaller never bundles libGL/libEGL/libxcb; Qt's xcb plugin
# needs the xcb helper libraries; fontconfig brings the system's font configuration.
SYSTEM_LIBRARIES = (
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libdbus-1-3",
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-shm0",
    "libxcb-sync1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxcb-util1 | libxcb-util0",
)

DESKTOP_ENTRY = f"""[Desktop Entry]
Type=Application
Version=1.0
Name=Tongban
Name[zh_CN]={DISPLAY_NAME}
GenericName=Community affairs counter
GenericName[zh_CN]=社区事务受理窗口
Comment=Counter application of the community affairs acceptance service centers
Comment[zh_CN]={DESCRIPTION}
Exec=/{INSTALL_DIR}/{APP_NAME}
Icon={APP_NAME}
Terminal=false
Categories=Office;
StartupWMClass={APP_NAME}
Actions=demo;

[Desktop Action demo]
Name=Demo workstation
Name[zh_CN]=演示工作站
Exec=/{INSTALL_DIR}/{APP_NAME} demo
"""

# Refresh the menu and icon caches when the desktop has the tools; a server without them is fine.
REFRESH_CACHES = """if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q /usr/share/applications || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
fi
"""
POSTINST = f"""#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
{REFRESH_CACHES}fi
exit 0
"""
POSTRM = f"""#!/bin/sh
set -e
case "$1" in
    remove|purge)
{REFRESH_CACHES}        ;;
esac
exit 0
"""


@dataclass(frozen=True)
class Package:
    path: Path
    glibc: str  # the oldest glibc the bundle runs on
    installed_kib: int


def debian_version(version: str) -> str:
    """PEP 440 to Debian: a pre-release sorts before its release (1.0rc1 → 1.0~rc1)."""
    return re.sub(r"(?<=\d)\.?(a|b|rc|dev)", r"~\1", version)


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def glibc_floor(bundle: Path) -> str:
    """The highest GLIBC_x.y symbol version any binary of the bundle needs (objdump -T)."""
    dump = subprocess.run(
        ["objdump", "-T", *map(str, elf_files(bundle))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_(\d+\.\d+)", dump)}
    return ".".join(map(str, max(versions)))


def control_file(version: str, glibc: str, installed_kib: int) -> str:
    depends = ", ".join((f"libc6 (>= {glibc})", *SYSTEM_LIBRARIES))
    return (
        f"Package: {APP_NAME}\n"
        f"Version: {debian_version(version)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Architecture: {architecture()}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {depends}\n"
        f"Description: {DESCRIPTION}\n"
        " Counter application for Shanghai's community affairs acceptance service centers:\n"
        " intake, receipts and notices, case search, and sync with the central service.\n"
        " Self-contained (Python and Qt inside /opt/tongban).\n"
    )


def stage(bundle: Path, icons: Path, root: Path) -> None:
    """Lay out the package's files under `root`; the bundle is hard-linked, not copied."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True, copy_function=os.link)
    command = root / "usr" / "bin" / APP_NAME
    command.parent.mkdir(parents=True)
    command.symlink_to(Path("/") / INSTALL_DIR / APP_NAME)
    entry = root / "usr" / "share" / "applications" / f"{APP_NAME}.desktop"
    entry.parent.mkdir(parents=True)
    entry.write_text(DESKTOP_ENTRY, encoding="utf-8")
    for size in ICON_SIZES:
        target = root / "usr/share/icons/hicolor" / f"{size}x{size}" / "apps" / f"{APP_NAME}.png"
        target.parent.mkdir(parents=True)
        shutil.copyfile(icons / f"{APP_NAME}-{size}.png", target)


def write_maintainer_files(root: Path, control: str) -> None:
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(control, encoding="utf-8")
    for name, script in (("postinst", POSTINST), ("postrm", POSTRM)):
        (debian / name).write_text(script, encoding="utf-8")
        (debian / name).chmod(0o755)


def normalise_modes(root: Path) -> None:
    # dpkg installs the modes it finds: directories 755, files 644 or 755, whatever the umask was.
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def installed_size_kib(root: Path) -> int:
    files = (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return sum((p.stat().st_size + 1023) // 1024 for p in files)


def build_deb(
    bundle: Path, icons: Path, work: Path, out_dir: Path, version: str, compression: str, level: int
) -> Package:
    root = work / "deb-root"
    stage(bundle, icons, root)
    normalise_modes(root)
    glibc = glibc_floor(bundle)
    size = installed_size_kib(root)
    write_maintainer_files(root, control_file(version, glibc, size))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{APP_NAME}_{debian_version(version)}_{architecture()}.deb"
    subprocess.run(
        [
            *("dpkg-deb", "--root-owner-group", f"-Z{compression}", f"-z{level}"),
            *("--build", str(root), str(target)),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return Package(target, glibc, size)
