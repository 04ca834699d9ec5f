"""The application behind the first-run wizard: ui.setup_ports.SetupServices for one data directory.

The wizard's steps map onto what `tongban setup` does (desktop/sync/setup.py) plus the printer:
the address is checked with /v1/health before any code is asked for; enrolling creates the
store, keeps the token and writes the settings last, and leaves nothing behind when it fails; the
printer and paper go into the same settings file; the test page goes through the real print path
(desktop/printers.py). Every failure an administrator can act on becomes a SetupRefused with a
kind and one Chinese line. All of it runs on the wizard's worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from keyring.backend import KeyringBackend

from tongban.desktop.printers import PrintError, PrinterSettings, list_printers, print_pdf
from tongban.desktop.secrets import SecretsError, SecretStoreKind, keyring_available
from tongban.desktop.settings import (
    Paper,
    ServerAddressError,
    SettingsError,
    load_settings,
    normalised_server_url,
    save_settings,
)
from tongban.desktop.sync.client import SyncClient, SyncError, SyncErrorKind
from tongban.desktop.sync.setup import SetupError, SetupResult, set_up_workstation
from tongban.models.app_versions import installed_version, update_notice
from tongban.models.clock import shanghai_now
from tongban.printing import Paper as PaperOnPrint
from tongban.printing.test_page import PrinterTestPage, TestPageData
from tongban.ui.setup_ports import (
    Enrolled,
    PaperChoice,
    PrinterOption,
    SetupProblem,
    SetupRefused,
)

CHECK_TIMEOUT = 10.0  # seconds for the address check: an administrator is waiting
TEST_JOB_NAME = "tongban-test-page"
# Sends a PDF to a printer; the number of pages printed (desktop.printers.print_pdf by default).
PdfPrinter = Callable[[bytes, PrinterSettings], int]


def _system_printer(pdf: bytes, settings: PrinterSettings) -> int:
    return print_pdf(pdf, settings, job_name=TEST_JOB_NAME)


def normalised_address(address: str) -> str:
    """`10.12.0.8:8470` → `http://10.12.0.8:8470`; SetupRefused when it is no web address."""
    try:
        return normalised_server_url(address)
    except ServerAddressError as error:
        raise SetupRefused(SetupProblem.BAD_ADDRESS, str(error)) from None


class DesktopSetup:
    """SetupServices for the workstation in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        keyring_backend: KeyringBackend | None = None,
        printer: PdfPrinter = _system_printer,
    ) -> None:
        self.data_dir = data_dir
        self._keyring_backend = keyring_backend
        self._printer = printer
        self._result: SetupResult | None = None

    def check_server(self, address: str) -> str:
        server = normalised_address(address)
        try:
            with SyncClient(server, timeout=CHECK_TIMEOUT) as client:
                client.health()
        except SyncError as error:
            raise _address_refusal(error, server) from None
        return server

    def enroll(self, server: str, code: str, *, token_in_file: bool) -> Enrolled:
        kind = SecretStoreKind.FILE if token_in_file else SecretStoreKind.KEYRING
        # Checked before the code is spent: a code is good for one use only.
        if kind is SecretStoreKind.KEYRING and not keyring_available(self._keyring_backend):
            raise SetupRefused(
                SetupProblem.NO_KEYRING, "本机没有可用的系统钥匙串，无法安全保存设备令牌"
            )
        try:
            result = set_up_workstation(
                self.data_dir,
                server_url=server,
                code=code,
                secret_kind=kind,
                keyring_backend=self._keyring_backend,
            )
        except SyncError as error:
            raise _code_refusal(error, server) from None
        except SetupError as error:
            raise SetupRefused(SetupProblem.ALREADY_SET_UP, str(error)) from None
        except (SecretsError, SettingsError) as error:
            raise SetupRefused(SetupProblem.SETTINGS, str(error)) from None
        self._result = result
        return Enrolled(
            center_name=result.center_name,
            workstation_name=result.workstation_name,
            site_code=result.site_code,
            workstation_number=result.workstation_number,
            token_location=result.secret_location,
            update_notice=update_notice(installed_version(), result.app_versions),
        )

    def printers(self) -> list[PrinterOption]:
        return [
            PrinterOption(
                name=p.name,
                label=" — ".join(part for part in (p.name, p.description, p.location) if part),
                is_default=p.is_default,
            )
            for p in list_printers()
        ]

    def save_printing(self, printer: str, paper: PaperChoice) -> None:
        try:
            settings = load_settings(self.data_dir)
            if settings is None:
                raise SetupRefused(SetupProblem.SETTINGS, "本工作站尚未登记，不能保存打印设置")
            changes = {"printer": printer or None, "paper": Paper(paper.value)}
            save_settings(self.data_dir, settings.model_copy(update=changes))
        except SettingsError as error:
            raise SetupRefused(SetupProblem.SETTINGS, str(error)) from None

    def print_test_page(self, printer: str, paper: PaperChoice) -> int:
        result = self._result
        data = TestPageData(
            center_name=result.center_name if result else "",
            workstation_name=result.workstation_name if result else "",
            printer_name=printer,
            printed_at=shanghai_now(),
        )
        on_paper = PaperOnPrint(paper.value)
        pdf = PrinterTestPage(data, paper=on_paper).build()
        try:
            return self._printer(pdf, PrinterSettings(printer_name=printer, paper=on_paper))
        except PrintError as error:
            raise SetupRefused(SetupProblem.PRINTER, f"测试页未能打印：{error}") from None


def _address_refusal(error: SyncError, server: str) -> SetupRefused:
    if error.kind is SyncErrorKind.OFFLINE:
        return SetupRefused(
            SetupProblem.UNREACHABLE,
            f"无法连接中心同步服务 {server}：请检查地址、端口和网络，或确认服务已开启",
        )
    if error.status is not None and error.status >= 500:
        return SetupRefused(SetupProblem.SERVER, str(error))
    return SetupRefused(
        SetupProblem.NOT_A_SERVICE,
        f"{server} 不是通办中心同步服务（有应答，但不是本系统的服务）：请核对地址和端口",
    )


def _code_refusal(error: SyncError, server: str) -> SetupRefused:
    if error.kind is SyncErrorKind.OFFLINE:
        return SetupRefused(
            SetupProblem.UNREACHABLE,
            f"登记时无法连接中心同步服务 {server}：请检查网络后重试",
        )
    if error.status == 401:
        return SetupRefused(
            SetupProblem.CODE_REFUSED,
            "登记码无效或已使用：请核对后重新输入，或请管理员用 tongban central enroll 重新生成",
        )
    if error.status == 410:
        return SetupRefused(
            SetupProblem.CODE_EXPIRED,
            "登记码已过期：请管理员用 tongban central enroll 重新生成",
        )
    if error.status == 422:
        return SetupRefused(SetupProblem.CODE_REFUSED, "登记码格式不正确：请核对后重新输入")
    return SetupRefused(SetupProblem.SERVER, str(error))
