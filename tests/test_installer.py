"""The installed program, as an IT technician gets it (docs/INSTALL.md).

`python installer/build.py` builds the one-folder bundle and the .deb; apt installs the package
with its dependencies; the INSTALLED program (/usr/bin/tongban → /opt/tongban) then shows the setup
wizard on an empty data directory, opens a demo workstation to its login page, prints a receipt
to a PDF whose text and barcodes carry the case number, and runs the central service; finally
removing the package leaves nothing behind.

It needs root and dpkg (CI runs as root on Debian). On a developer's machine without root it is
skipped with that reason; under CI anything that stops it is a failure, never a skip. One run at a
time per machine (a lock file), since the package is installed system-wide.
"""

from __future__ import annotations

import configparser
import fcntl
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from counter_support import HERE, item_named, resident_id
from tongban.models.rules import display_case_number

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "tongban"
INSTALL_DIR = Path("/opt/tongban")
COMMAND = Path("/usr/bin/tongban")
DESKTOP_ENTRY = Path("/usr/share/applications/tongban.desktop")
ICON = Path("/usr/share/icons/hicolor/256x256/apps/tongban.png")
LOCK = Path("/var/lock/tongban-installer-test.lock")
BUILD_MINUTES = 20  # a generous ceiling for a loaded 2-core machine; it normally takes 2-4
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def unusable_reason() -> str | None:
    if sys.platform != "linux" or shutil.which("dpkg") is None or shutil.which("apt-get") is None:
        return "the .deb test needs a Debian-based Linux with dpkg and apt-get"
    if os.geteuid() != 0:
        return "installing the .deb needs root (CI runs as root)"
    return None


def require_or_skip(reason: str | None) -> None:
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"installer test cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def is_installed() -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", PACKAGE], capture_output=True, text=True
    )
    return status.returncode == 0 and "installed" in status.stdout.split()


def run(command: list[str | Path], *, timeout: float = 180, **options) -> str:
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout, **options
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    )
    return result.stdout


@dataclass(frozen=True)
class Built:
    deb: Path
    report: str  # what build.py printed


@dataclass(frozen=True)
class Installed:
    deb: Path
    home: Path  # HOME for the installed program: nothing of the tester's account is touched

    def env(self, **extra: str) -> dict[str, str]:
        # The installed program must not lean on the developer's environment.
        kept = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTHON", "TONGBAN_", "QT_", "VIRTUAL_ENV"))
        }
        return {**kept, "HOME": str(self.home), "QT_QPA_PLATFORM": "offscreen", **extra}

    def tongban(self, *args: str | Path, timeout: float = 180, **extra: str) -> str:
        return run([COMMAND, *args], timeout=timeout, env=self.env(**extra))


@pytest.fixture(scope="module")
def one_run_at_a_time() -> Iterator[None]:
    require_or_skip(unusable_reason())
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run of this module on the machine: wait
        yield


@pytest.fixture(scope="module")
def built(one_run_at_a_time, tmp_path_factory) -> Iterator[Built]:
    dist, work = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("work")
    # gzip -1: the fastest build that old and new dpkg read; the default (gzip -6) differs only
    # in size. The bundle is built exactly as the documented command builds it.
    command = [sys.executable, "installer/build.py", "--dist", dist, "--work", work, "--level", "1"]
    report = run(command, cwd=ROOT, timeout=BUILD_MINUTES * 60)
    debs = list(dist.glob(f"{PACKAGE}_*.deb"))
    assert len(debs) == 1, report
    try:
        yield Built(debs[0], report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(dist, ignore_errors=True)


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Iterator[Installed]:
    if is_installed():
        pytest.fail(
            "tongban is already installed on this machine; remove it first (dpkg --purge tongban)",
            pytrace=False,
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends"]
    command += ["-o", "DPkg::Lock::Timeout=300", built.deb]
    try:
        run(command, env=env, timeout=600)
        yield Installed(built.deb, tmp_path_factory.mktemp("home"))
    finally:
        if is_installed():
            subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, timeout=300)


def deb_members(deb: Path) -> list[str]:
    """The member names of a .deb (an ar archive): debian-binary, control.tar.*, data.tar.*."""
    data = deb.read_bytes()
    assert data[:8] == b"!<arch>\n"
    names, offset = [], 8
    while offset < len(data):
        header = data[offset : offset + 60]
        names.append(header[:16].decode().strip().rstrip("/"))
        size = int(header[48:58].decode().strip())
        offset += 60 + size + (size % 2)
    return names


def control_fields(deb: Path) -> dict[str, str]:
    text = run(["dpkg-deb", "--field", deb])
    return dict(re.findall(r"^(\S+): (.*)$", text, flags=re.MULTILINE))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def case_file(folder: Path) -> Path:
    case = {
        "applicant": {
            "id_number": resident_id(serial=123),
            "name": "测试申请人",
            "phone": "13800138000",
            "household_street": HERE,
            "residence_street": None,
        },
        "item": item_named("敬老卡申领").code,
        "materials": "all",
    }
    path = folder / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_package_names_its_version_and_what_it_needs(built):
    fields = control_fields(built.deb)
    assert fields["Package"] == PACKAGE
    assert fields["Version"] == project_version()
    # zstd, which newer dpkg prefers, is unknown to the dpkg of older UOS and Kylin releases.
    assert {m for m in deb_members(built.deb) if m.startswith("data.tar")} <= {
        "data.tar.gz",
        "data.tar.xz",
    }
    depends = fields["Depends"]
    glibc = re.match(r"libc6 \(>= (\d+)\.(\d+)\)", depends)
    assert glibc and (int(glibc[1]), int(glibc[2])) >= (2, 34), depends  # PySide6's own floor
    assert f"glibc >= {glibc[1]}.{glibc[2]}" in built.report
    for library in ("libgl1", "libegl1", "libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0"):
        assert library in depends


def test_the_package_installs_a_command_a_menu_entry_and_an_icon(installed):
    assert COMMAND.resolve() == INSTALL_DIR / "tongban"
    assert os.access(INSTALL_DIR / "tongban", os.X_OK)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive in desktop entries
    entry.read(DESKTOP_ENTRY, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Name[zh_CN]"] == "通办"
    assert Path(desktop["Exec"].split()[0]) == INSTALL_DIR / "tongban"
    assert entry["Desktop Action demo"]["Exec"].split()[1:] == ["demo"]
    assert desktop["Icon"] == "tongban" and png_size(ICON) == (256, 256)


def qt_modules_named_in_the_source() -> set[str]:
    named = re.compile(r"\bPySide6\.(Qt\w+)")
    files = (ROOT / "src" / "tongban").rglob("*.py")
    return {module for f in files for module in named.findall(f.read_text("utf-8"))}


def test_the_bundle_carries_the_qt_it_uses_and_chinese_translations(installed):
    pyside = INSTALL_DIR / "_internal" / "PySide6"
    shipped = {p.name.split(".")[0] for p in pyside.glob("Qt*.abi3.so")}
    assert qt_modules_named_in_the_source() <= shipped
    assert not shipped & {"QtQml", "QtQuick", "QtWebEngineCore", "QtNetwork"}
    qt = pyside / "Qt"
    platforms = {p.name for p in (qt / "plugins" / "platforms").iterdir()}
    assert {"libqxcb.so", "libqoffscreen.so"} <= platforms
    translations = {p.name for p in (qt / "translations").iterdir()}
    assert "qtbase_zh_CN.qm" in translations
    assert all("zh_CN" in name for name in translations)
    metadata = next((INSTALL_DIR / "_internal").glob("tongban-*.dist-info"))
    assert f"Version: {project_version()}" in (metadata / "METADATA").read_text(encoding="utf-8")


def test_every_library_of_the_bundle_is_found_once_installed(installed):
    # The package's Depends must bring whatever the bundle leaves to the system.
    folders = {str(p.parent) for p in INSTALL_DIR.rglob("*.so*")}
    env = {**os.environ, "LD_LIBRARY_PATH": ":".join(sorted(folders))}
    missing = {}
    for binary in elf_files(INSTALL_DIR):
        listing = subprocess.run(["ldd", binary], capture_output=True, text=True, env=env).stdout
        lost = re.findall(r"^\s*(\S+) => not found", listing, flags=re.MULTILINE)
        if lost:
            missing[str(binary.relative_to(INSTALL_DIR))] = lost
    assert not missing


def test_the_first_start_shows_the_setup_wizard(installed, tmp_path):
    assert installed.tongban("launch-check", "--data-dir", tmp_path / "new").strip() == (
        "setup-wizard"
    )


def test_a_configured_workstation_opens_to_its_login_page(installed, tmp_path):
    demo = tmp_path / "demo"
    installed.tongban("demo", "--prepare", "--data-dir", demo)
    assert installed.tongban("launch-check", "--data-dir", demo).strip() == "login"


def test_the_window_opens_on_a_real_x_display(installed, tmp_path):
    # Offscreen proves the program; an X server proves the xcb plugin and the package's Depends.
    if shutil.which("xvfb-run") is None:
        require_or_skip("xvfb-run (Debian package xvfb) is needed for the X11 check")
    command = ["xvfb-run", "-a", COMMAND, "launch-check", "--data-dir", tmp_path / "new"]
    output = run(command, env=installed.env(QT_QPA_PLATFORM="xcb"))
    assert output.strip() == "setup-wizard"


def test_the_installed_program_prints_a_receipt_to_pdf(installed, tmp_path):
    demo = tmp_path / "demo"
    installed.tongban("demo", "--prepare", "--data-dir", demo)
    intake = ("intake", "--file", case_file(tmp_path), "--clerk", "1001", "--json")
    assert json.loads(installed.tongban(*intake, "--data-dir", demo))["outcome"] == "accepted"
    listed = json.loads(installed.tongban("cases", "list", "--json", "--data-dir", demo))
    assert len(listed) == 1
    case_number = listed[0]["case_number"]
    pdf = tmp_path / "receipt.pdf"
    installed.tongban(
        "print", "receipt", case_number, "--clerk", "1001", "--out", pdf, "--data-dir", demo
    )
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert display_case_number(case_number) in run(["pdftotext", pdf, "-"])
    # ReportLab draws the codes with modules it imports by name: they must be in the bundle.
    run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", pdf, tmp_path / "page"])
    page = next(tmp_path.glob("page*.png"))
    codes = run(["zbarimg", "-q", page]).split()
    assert f"QR-Code:{case_number}" in codes and f"CODE-128:{case_number}" in codes


def test_the_central_service_runs_from_the_package(installed, tmp_path):
    database = f"sqlite:///{tmp_path / 'central.db'}"
    assert "220 个中心" in installed.tongban("central", "init", "--db", database)
    port = free_port()
    serve = [COMMAND, "central", "serve", "--listen", f"127.0.0.1:{port}", "--db", database]
    service = subprocess.Popen(
        serve, env=installed.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}/v1/health", service)
    finally:
        service.terminate()
        service.wait(timeout=30)
    assert health["status"] == "ok"


def wait_for_health(url: str, service: subprocess.Popen, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if service.poll() is not None:
            pytest.fail(f"central serve exited {service.returncode}: {service.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"central serve did not answer {url} within {seconds:g} s")


def test_removing_the_package_leaves_nothing_behind(installed):
    # Last in this module: the tests above use the installed program.
    run(["dpkg", "--purge", PACKAGE], timeout=300)
    assert not is_installed()
    for path in (INSTALL_DIR, COMMAND, DESKTOP_ENTRY, ICON):
        assert not os.path.lexists(path), path
    assert not list(Path("/usr/share/icons/hicolor").glob("*/apps/tongban.png"))
