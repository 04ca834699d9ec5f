"""The first-run wizard: a workstation without configuration is set up here, then shows the login.

Five steps, each one page: the central service's address (checked at once), the enrollment code
(`tongban central enroll` printed it; redeeming it sets the workstation up, and nothing is written
if it fails), the printer and the paper (A4 or the 80 mm roll), a test page, and a summary. The
wizard is a dialog so that the keyboard works as administrators expect: Tab moves through the
fields and buttons, Enter presses the highlighted button (下一步 unless another has the focus);
Esc does nothing, so that a slip of the hand never throws the work away.

`SetupWizardView` only builds widgets; `SetupWizardController` holds the steps and calls the
application (ui.setup_ports.SetupServices) through the task runner, off the GUI thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tongban.ui.setup_ports import (
    Enrolled,
    PaperChoice,
    PrinterOption,
    SetupProblem,
    SetupRefused,
    SetupServices,
)
from tongban.ui.tasks import TaskRunner

ALARM_STYLE = "color: #b3261e;"


class Step(IntEnum):
    SERVER = 0
    CODE = 1
    PRINTER = 2
    TEST = 3
    DONE = 4


def _page(*widgets: QWidget, form: QFormLayout | None = None) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget)
    if form is not None:
        layout.addLayout(form)
    layout.addStretch(1)
    return page


def _text(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class SetupWizardView(QDialog):
    """Builds the wizard's pages and buttons; no logic."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setup.wizard")
        self.setWindowTitle(self.tr("通办 · 工作站首次设置"))
        self.resize(760, 520)
        self.heading = QLabel(self.tr("工作站首次设置"))
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.step = _text("", "setup.step")
        self.step.setStyleSheet("font-size: 13pt;")
        self.pages = QStackedWidget()
        for build in (self._server, self._code, self._printing, self._test, self._done):
            self.pages.addWidget(build())
        self.message = _text("", "setup.message")
        self.message.setAccessibleName(self.tr("设置提示"))
        self.back = self._button("setup.back", self.tr("上一步"))
        self.next = self._button("setup.next", self.tr("下一步"))
        self.next.setDefault(True)
        self._layout()

    def _server(self) -> QWidget:
        self.server = self._field("setup.server", self.tr("中心同步服务地址"), 200)
        self.server.setPlaceholderText(self.tr("例如 http://10.12.0.8:8470"))
        explain = _text(
            self.tr(
                "请输入中心同步服务的地址（由信息技术人员提供）。"
                "按“下一步”时会先检查该地址能否连通。"
            )
        )
        form = QFormLayout()
        form.addRow(self.tr("服务地址"), self.server)
        return _page(explain, form=form)

    def _code(self) -> QWidget:
        self.code = self._field("setup.code", self.tr("登记码"), 64)
        self.code.setPlaceholderText(self.tr("例如 ZXDG-NHVE-H25A-CLEJ"))
        explain = _text(
            self.tr(
                "请输入管理员用 tongban central enroll 生成的一次性登记码。"
                "登记码只能使用一次；登记不成功时本机不保存任何设置。"
            )
        )
        self.keyring_hint = _text(
            self.tr(
                "本机没有可用的系统钥匙串，无法安全保存设备令牌。如确需继续，管理员可选择把令牌"
                "保存在数据目录中仅本账户可读的文件里（权限 0600），"
                "与命令 tongban setup --secret-store file 相同。"
            ),
            "setup.keyringHint",
        )
        self.keyring_hint.setStyleSheet(ALARM_STYLE)
        self.file_store = QCheckBox(self.tr("管理员确认：把设备令牌保存在文件中"))
        self.file_store.setObjectName("setup.fileStore")
        for widget in (self.keyring_hint, self.file_store):
            widget.setVisible(False)
        form = QFormLayout()
        form.addRow(self.tr("登记码"), self.code)
        return _page(explain, self.keyring_hint, self.file_store, form=form)

    def _printing(self) -> QWidget:
        self.enrolled = _text("", "setup.enrolled")
        self.printer = QComboBox()
        self.printer.setObjectName("setup.printer")
        self.printer.setAccessibleName(self.tr("打印机"))
        self.paper = QComboBox()
        self.paper.setObjectName("setup.paper")
        self.paper.setAccessibleName(self.tr("纸张"))
        self.paper.addItem(self.tr("A4（普通打印机）"), PaperChoice.A4)
        self.paper.addItem(self.tr("80 毫米卷纸（热敏小票打印机）"), PaperChoice.ROLL80)
        form = QFormLayout()
        form.addRow(self.tr("打印机"), self.printer)
        form.addRow(self.tr("纸张"), self.paper)
        explain = _text(self.tr("回执和告知单打印在这里。以后可由管理员更改。"))
        return _page(self.enrolled, explain, form=form)

    def _test(self) -> QWidget:
        explain = _text(
            self.tr(
                "打印一张测试页，检查文字、条码和二维码是否清晰完整。"
                "也可以直接按“下一步”跳过，稍后再打印。"
            )
        )
        self.test_print = self._button("setup.testPrint", self.tr("打印测试页"))
        self.test_result = _text("", "setup.testResult")
        return _page(explain, self.test_print, self.test_result)

    def _done(self) -> QWidget:
        self.summary = _text("", "setup.summary")
        self.outdated = _text("", "setup.outdated")
        self.outdated.setStyleSheet(f"{ALARM_STYLE} font-weight: bold;")
        self.outdated.setVisible(False)
        return _page(self.summary, self.outdated)

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        buttons.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.heading)
        layout.addWidget(self.step)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        chain = [
            self.server,
            self.code,
            self.file_store,
            self.printer,
            self.paper,
            self.test_print,
            self.back,
            self.next,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _field(self, name: str, accessible: str, length: int) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setMaxLength(length)
        return field

    def _button(self, name: str, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        return button

    def say(self, text: str, *, alarm: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ALARM_STYLE if alarm else "")

    def set_printers(self, options: Sequence[PrinterOption]) -> None:
        """The system's printers; the first entry always follows the system's default."""
        chosen = self.printer.currentData()
        self.printer.clear()
        default = next((o.name for o in options if o.is_default), "")
        label = self.tr("系统默认打印机")
        self.printer.addItem(f"{label}（{default}）" if default else label, "")
        for option in options:
            self.printer.addItem(option.label, option.name)
        index = self.printer.findData(chosen) if chosen else 0
        self.printer.setCurrentIndex(max(index, 0))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc would close the dialog and lose what was typed; closing stays with the window's
        # own close button.
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)


STEP_TITLES = {
    Step.SERVER: "中心同步服务",
    Step.CODE: "登记码",
    Step.PRINTER: "打印机与纸张",
    Step.TEST: "打印测试页",
    Step.DONE: "完成",
}
# Where Back goes; the enrollment cannot be undone, so the printer step has no way back.
PREVIOUS = {Step.CODE: Step.SERVER, Step.TEST: Step.PRINTER, Step.DONE: Step.TEST}
# Which field the administrator is sent back to after a refusal.
FIELD_OF = {
    SetupProblem.BAD_ADDRESS: Step.SERVER,
    SetupProblem.UNREACHABLE: Step.SERVER,
    SetupProblem.NOT_A_SERVICE: Step.SERVER,
    SetupProblem.CODE_REFUSED: Step.CODE,
    SetupProblem.CODE_EXPIRED: Step.CODE,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("setup", text)


class SetupWizardController(QObject):
    """Walks the steps; every call to the application goes through the runner."""

    completed = Signal()  # the workstation is set up: the login comes next

    def __init__(
        self,
        view: SetupWizardView,
        *,
        services: SetupServices,
        runner: TaskRunner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self.server = ""  # the address that answered
        self.enrolled: Enrolled | None = None
        self.test_pages = 0  # pages of the last successful test print
        self._busy = False
        self._file_store_offered = False  # only after the keyring was found missing
        view.next.clicked.connect(self.forward)
        view.back.clicked.connect(self.backward)
        view.test_print.clicked.connect(self.print_test_page)
        self._go(Step.SERVER)

    @property
    def step(self) -> Step:
        return Step(self.view.pages.currentIndex())

    @property
    def busy(self) -> bool:
        """True while the application works on the last request (the buttons wait)."""
        return self._busy

    def forward(self) -> None:
        if self._busy:
            return
        actions: dict[Step, Callable[[], None]] = {
            Step.SERVER: self._check_server,
            Step.CODE: self._enroll,
            Step.PRINTER: self._save_printing,
            Step.TEST: lambda: self._go(Step.DONE),
            Step.DONE: self.completed.emit,
        }
        actions[self.step]()

    def backward(self) -> None:
        previous = PREVIOUS.get(self.step)
        if previous is not None and not self._busy:
            self._go(previous)

    def print_test_page(self) -> None:
        if self._busy or self.step is not Step.TEST:
            return
        printer, paper = self._printing()
        self.view.test_result.clear()
        self._ask(
            lambda: self._services.print_test_page(printer, paper),
            self._printed,
            _tr("正在打印测试页…"),
        )

    # The steps ----------------------------------------------------------------------------------

    def _check_server(self) -> None:
        address = self.view.server.text().strip()
        if not address:
            self._refused(SetupRefused(SetupProblem.BAD_ADDRESS, _tr("请输入中心同步服务的地址")))
            return
        self._ask(
            lambda: self._services.check_server(address), self._server_found, _tr("正在连接…")
        )

    def _server_found(self, server: str) -> None:
        self.server = server
        self.view.server.setText(server)
        self._go(Step.CODE)

    def _enroll(self) -> None:
        code = self.view.code.text().strip()
        if not code:
            self._refused(SetupRefused(SetupProblem.CODE_REFUSED, _tr("请输入登记码")))
            return
        server = self.server
        in_file = self._file_store_offered and self.view.file_store.isChecked()
        self._ask(
            lambda: self._services.enroll(server, code, token_in_file=in_file),
            self._set_up,
            _tr("正在登记…"),
        )

    def _set_up(self, enrolled: Enrolled) -> None:
        self.enrolled = enrolled
        self.view.enrolled.setText(
            _tr(
                "已登记：{center} {name}（工作站编号 {number:03d}）。设备令牌保存在{where}。"
            ).format(
                center=enrolled.center_name,
                name=enrolled.workstation_name,
                number=enrolled.workstation_number,
                where=enrolled.token_location,
            )
        )
        self.view.set_printers([])
        self._runner.run(
            self._services.printers,
            on_success=self.view.set_printers,
            on_failure=lambda message: self.view.say(message, alarm=True),
        )
        self._go(Step.PRINTER)

    def _save_printing(self) -> None:
        printer, paper = self._printing()
        self._ask(
            lambda: self._services.save_printing(printer, paper),
            lambda _: self._go(Step.TEST),
            _tr("正在保存…"),
        )

    def _printed(self, pages: int) -> None:
        self.test_pages = pages
        self.view.test_result.setText(
            _tr(
                "测试页已送往打印机（{pages} 页）。请检查文字、条码和二维码是否清晰完整；"
                "不满意可按“上一步”更换打印机或纸张。"
            ).format(pages=pages)
        )
        self.view.say("")
        self.view.next.setFocus()

    # Moving between pages ------------------------------------------------------------------------

    def _go(self, step: Step) -> None:
        view = self.view
        view.pages.setCurrentIndex(step)
        view.step.setText(
            _tr("第 {n} 步，共 {total} 步：{title}").format(
                n=step + 1, total=len(Step), title=_tr(STEP_TITLES[step])
            )
        )
        view.back.setEnabled(step in PREVIOUS)
        view.next.setText(_tr("完成，进入登录") if step is Step.DONE else _tr("下一步"))
        view.say("")
        if step is Step.DONE:
            self._show_summary()
        self._focus(step)

    def _focus(self, step: Step) -> None:
        view = self.view
        field: dict[Step, QWidget] = {
            Step.SERVER: view.server,
            Step.CODE: view.code,
            Step.PRINTER: view.printer,
            Step.TEST: view.test_print,
            Step.DONE: view.next,
        }
        field[step].setFocus()

    def _show_summary(self) -> None:
        enrolled = self.enrolled
        if enrolled is None:
            return
        printer, paper = self.view.printer.currentText(), self.view.paper.currentText()
        test = (
            _tr("已打印测试页")
            if self.test_pages
            else _tr("未打印测试页（可在登录后打印任一回执检查）")
        )
        lines = [
            _tr("本工作站已设置完成：{center} {name}").format(
                center=enrolled.center_name, name=enrolled.workstation_name
            ),
            _tr("中心同步服务：{server}").format(server=self.server),
            _tr("设备令牌保存在：{where}").format(where=enrolled.token_location),
            _tr("打印机：{printer}；纸张：{paper}；{test}").format(
                printer=printer, paper=paper, test=test
            ),
            _tr("以上设置以后都可由管理员更改。按“完成，进入登录”开始使用。"),
        ]
        self.view.summary.setText("\n".join(lines))
        self.view.outdated.setText(enrolled.update_notice)
        self.view.outdated.setVisible(bool(enrolled.update_notice))

    def _printing(self) -> tuple[str, PaperChoice]:
        return self.view.printer.currentData() or "", PaperChoice(self.view.paper.currentData())

    # Background work ------------------------------------------------------------------------------

    def _ask(self, work: Callable[[], Any], then: Callable[[Any], None], waiting: str) -> None:
        """Run `work` on the runner; `then(result)` on success, the refusal shown otherwise."""

        def attempt() -> Any:
            try:
                return work()
            except SetupRefused as refusal:  # expected: a value, so its kind reaches the GUI
                return refusal

        self._set_busy(True)
        self.view.say(waiting)
        self._runner.run(
            attempt,
            on_success=lambda result: self._answered(result, then),
            on_failure=self._failed,
        )

    def _answered(self, result: Any, then: Callable[[Any], None]) -> None:
        self._set_busy(False)
        if isinstance(result, SetupRefused):
            self._refused(result)
            return
        self.view.say("")
        then(result)

    def _failed(self, message: str) -> None:
        self._set_busy(False)
        self.view.say(message, alarm=True)
        self._focus(self.step)

    def _refused(self, refusal: SetupRefused) -> None:
        view = self.view
        view.say(str(refusal), alarm=True)
        if refusal.problem is SetupProblem.NO_KEYRING:
            self._file_store_offered = True
            # The hint above says why; the line below says what to do.
            view.say(
                _tr("未登记：请阅读上方说明，如确需继续，勾选管理员确认后再按“下一步”"), alarm=True
            )
            view.keyring_hint.setVisible(True)
            view.file_store.setVisible(True)
            view.file_store.setFocus()
            return
        step = FIELD_OF.get(refusal.problem)
        if step is not self.step:  # a field of another page (or none): stay where we are
            self._focus(self.step)
            return
        field = view.server if step is Step.SERVER else view.code
        field.setFocus()
        field.selectAll()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        view = self.view
        view.pages.currentWidget().setEnabled(not busy)
        view.next.setEnabled(not busy)
        view.back.setEnabled(not busy and self.step in PREVIOUS)
        if not busy:
            self._focus(self.step)
