"""A receipt through a real CUPS spooler: the test's own cupsd, a cups-pdf queue, desktop/printers.

The set-up starts a private cupsd (own socket, spool, logs and state under a temporary directory)
and adds a queue whose backend is cups-pdf, which writes every job it receives as a PDF file.
A separate Python process — the application's situation: a QApplication, CUPS_SERVER pointing at
the private scheduler — prints an A4 receipt and an 80 mm roll receipt through
tongban.desktop.printers on a worker thread. The test then reads what the spooler produced.

The print path paints each page as an image (QtPdf renders, QPrinter paints), so the spooled PDF
holds pictures, not text: its text is read back by OCR (tesseract, Simplified Chinese), and its
QR and Code 128 codes by zbar. That checks what a printer would put on paper.

Needs root (cupsd runs the cups-pdf backend only as root; CI runs as root) and the Debian
packages cups, printer-driver-cups-pdf, poppler-utils, zbar-tools, tesseract-ocr and
tesseract-ocr-chi-sim. Anything missing FAILS the test with what to install: it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from printing_checks import barcodes, rasterise, reader, require_tool
from printing_samples import CASE_NUMBER, TIANPING

TESTS = Path(__file__).resolve().parent
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")  # cups-pdf reads cups-pdf-<instance>.conf only from here
DISPLAY_NUMBER = "310104003-260316-012-0042-9"
QUEUE = "TongbanTestPDF"
SPOOL_TIMEOUT_S = 90


@dataclass(frozen=True)
class CupsServer:
    socket: Path
    output: Path
    logs: Path

    def environment(self) -> dict[str, str]:
        return {**os.environ, "CUPS_SERVER": str(self.socket)}

    def error_log(self) -> str:
        log = self.logs / "error_log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else "(no error_log)"


def _require_cups() -> None:
    missing = [
        f"{what} ({package})"
        for what, package in (
            ("cupsd", "cups"),
            ("lpadmin", "cups-client"),
            ("lpstat", "cups-client"),
            (str(CUPS_PDF_BACKEND), "printer-driver-cups-pdf"),
            (str(CUPS_PDF_PPD), "printer-driver-cups-pdf"),
        )
        if not (shutil.which(what) or Path(what).exists())
    ]
    if missing:
        pytest.fail(
            "CUPS 打印测试缺少系统组件：" + "、".join(missing) + "。"
            "请安装 Debian 软件包 cups 和 printer-driver-cups-pdf（见 scripts/apt-packages.txt）。"
        )
    if os.geteuid() != 0:
        pytest.fail(
            "CUPS 打印测试须以 root 运行：cupsd 只以 root 身份运行 cups-pdf 后端（CI 以 root 运行）"
        )


def _write_configuration(root: Path, instance: str) -> CupsServer:
    for name in ("conf", "spool", "cache", "state", "logs", "tmp", "out"):
        (root / name).mkdir()
    # Filters run as the unprivileged user lp: every directory on the way must be traversable.
    for path in (root, *root.iterdir()):
        path.chmod(0o755)
    (root / "tmp").chmod(0o1777)
    (root / "out").chmod(0o1777)
    server = CupsServer(root / "cups.sock", root / "out", root / "logs")
    (root / "conf" / "cupsd.conf").write_text(
        f"Listen {server.socket}\nLogLevel info\nWebInterface No\nBrowsing No\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n"
    )
    (root / "conf" / "cups-files.conf").write_text(
        f"ServerRoot {root / 'conf'}\nRequestRoot {root / 'spool'}\nCacheDir {root / 'cache'}\n"
        f"StateDir {root / 'state'}\nTempDir {root / 'tmp'}\nPrintcap {root / 'printcap'}\n"
        f"AccessLog {server.logs / 'access_log'}\nErrorLog {server.logs / 'error_log'}\n"
        f"PageLog {server.logs / 'page_log'}\n"
        "ServerBin /usr/lib/cups\nDataDir /usr/share/cups\nUser lp\nGroup lp\nSystemGroup root\n"
    )
    (CUPS_PDF_CONFIG_DIR / f"cups-pdf-{instance}.conf").write_text(
        f"Out {server.output}\nAnonDirName {server.output}\nLog {server.logs}\nGrp root\n"
    )
    return server


def _wait_for_scheduler(server: CupsServer, daemon: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            pytest.fail(f"cupsd 启动失败（退出码 {daemon.returncode}）：\n{server.error_log()}")
        probe = subprocess.run(
            ["lpstat", "-r"], env=server.environment(), capture_output=True, text=True, check=False
        )
        if "is running" in probe.stdout and "not" not in probe.stdout:
            return
        time.sleep(0.2)
    pytest.fail(f"cupsd 在 20 秒内没有就绪：\n{server.error_log()}")


@pytest.fixture(scope="module")
def cups() -> Iterator[CupsServer]:
    _require_cups()
    root = Path(tempfile.mkdtemp(prefix="tongban-cups-"))
    instance = f"tongbantest{os.getpid()}"
    config = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{instance}.conf"
    daemon: subprocess.Popen[bytes] | None = None
    try:
        server = _write_configuration(root, instance)
        conf = root / "conf"
        daemon = subprocess.Popen(
            ["cupsd", "-f", "-c", str(conf / "cupsd.conf"), "-s", str(conf / "cups-files.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_scheduler(server, daemon)
        added = subprocess.run(
            ["lpadmin", "-p", QUEUE, "-E", "-v", f"cups-pdf:/{instance}", "-P", str(CUPS_PDF_PPD)],
            env=server.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert added.returncode == 0, f"lpadmin 失败：{added.stderr}\n{server.error_log()}"
        yield server
    finally:
        if daemon is not None:
            daemon.terminate()
            try:
                daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        config.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


# Runs in a fresh process so that the private scheduler is the only one Qt and libcups know of.
PRINT_BOTH_PAPERS = f"""
import json, sys
sys.path.insert(0, {str(TESTS)!r})
from PySide6.QtWidgets import QApplication
from printing_samples import receipt_data
from tongban.desktop.paperwork import render_document
from tongban.desktop.printers import PrinterSettings, list_printers, start_print_job

app = QApplication([])
outcome = {{"printers": [p.name for p in list_printers()], "jobs": {{}}}}
papers = ["a4", "roll80"]

def next_job():
    if not papers:
        app.quit()
        return
    paper = papers.pop(0)
    pdf = render_document("receipt", receipt_data(), paper)
    def finished(pages, paper=paper):
        outcome["jobs"][paper] = {{"pages": pages}}
        next_job()
    def failed(message, paper=paper):
        outcome["jobs"][paper] = {{"error": message}}
        next_job()
    outcome.setdefault("keep", []).append(start_print_job(
        pdf, PrinterSettings({QUEUE!r}, paper=paper), job_name="tongban-receipt-" + paper,
        on_finished=finished, on_failed=failed))

next_job()
app.exec()
outcome.pop("keep")
print(json.dumps(outcome))
"""


@pytest.fixture(scope="module")
def spooled(cups: CupsServer) -> dict[str, Path]:
    child = subprocess.run(
        [sys.executable, "-c", PRINT_BOTH_PAPERS],
        env={**cups.environment(), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    outcome = json.loads(child.stdout.strip().splitlines()[-1])
    assert QUEUE in outcome["printers"], outcome
    assert outcome["jobs"] == {"a4": {"pages": 2}, "roll80": {"pages": 1}}, outcome
    return {paper: _wait_for_output(cups, f"tongban-receipt-{paper}") for paper in ("a4", "roll80")}


def _wait_for_output(server: CupsServer, job_name: str) -> Path:
    deadline = time.monotonic() + SPOOL_TIMEOUT_S
    sizes: dict[Path, int] = {}
    while time.monotonic() < deadline:
        for candidate in server.output.glob(f"{job_name}*.pdf"):
            # cups-pdf writes the file in place: read it once its size has stopped changing.
            size = candidate.stat().st_size
            if size and sizes.get(candidate) == size and _complete_pdf(candidate):
                return candidate
            sizes[candidate] = size
        time.sleep(0.3)
    jobs = subprocess.run(
        ["lpstat", "-W", "all", "-o"], env=server.environment(), capture_output=True, text=True
    )
    pytest.fail(
        f"{SPOOL_TIMEOUT_S} 秒内没有等到 cups-pdf 的输出 {job_name}：\n"
        f"{jobs.stdout}\n{server.error_log()}"
    )


def _complete_pdf(path: Path) -> bool:
    return path.read_bytes().rstrip().endswith(b"%%EOF") and len(reader(path).pages) > 0


def _ocr(png: Path, *, top_fraction: float) -> str:
    """Text of the top part of a page (tesseract, Simplified Chinese), without whitespace."""
    require_tool("tesseract")
    languages = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, text=True, check=False
    ).stdout.split()
    assert "chi_sim" in languages, "缺少 tesseract 简体中文数据：请安装 tesseract-ocr-chi-sim"
    with Image.open(png) as page:
        crop = png.with_name(png.stem + "-top.png")
        page.crop((0, 0, page.width, round(page.height * top_fraction))).save(crop)
    # One OCR thread: several threads contend badly on small machines (8 s instead of 1.5 s).
    done = subprocess.run(
        ["tesseract", str(crop), "-", "-l", "chi_sim", "--psm", "4"],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return "".join(done.stdout.split())


def test_a4_receipt_reaches_paper_with_its_text_and_codes(
    spooled: dict[str, Path], tmp_path: Path
) -> None:
    pdf = spooled["a4"]
    pages = reader(pdf).pages
    assert len(pages) == 2
    for page in pages:
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=2)
        assert float(page.mediabox.height) == pytest.approx(841.9, abs=2)
    images = rasterise(pdf, tmp_path, dpi=200)
    for image in images:
        found = barcodes(image)
        assert ("QR-Code", CASE_NUMBER) in found and ("CODE-128", CASE_NUMBER) in found, found
    text = _ocr(images[0], top_fraction=0.4)
    # Phrases without inner spaces: OCR may read a wide space as punctuation.
    for phrase in ("受理回执", "第一联", "申请人留存", DISPLAY_NUMBER, TIANPING.name, "王丽华"):
        assert phrase in text, (phrase, text)


def test_roll_receipt_keeps_its_80_mm_custom_size_through_the_spooler(
    spooled: dict[str, Path], tmp_path: Path
) -> None:
    pdf = spooled["roll80"]
    pages = reader(pdf).pages
    assert len(pages) == 1
    assert float(pages[0].mediabox.width) == pytest.approx(226.8, abs=2)
    assert float(pages[0].mediabox.height) > 842  # continuous: longer than an A4 page
    found = barcodes(rasterise(pdf, tmp_path, dpi=300)[0])
    assert found.count(("QR-Code", CASE_NUMBER)) == 2, found
