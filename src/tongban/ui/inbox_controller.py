"""The logic of 办件 (ui/inbox.py): the lists, the opened case, the actions and their dialogs.

Every service call goes through the TaskRunner (worker thread). Arrow keys move in a list;
Enter (or a double click) opens the case, which reads its file (audited) and moves the focus to
its first possible action. Actions work on the opened case, the one the clerk sees, never on a
row merely passed over. A refusal is shown as the service worded it: in the open dialog, or on
the view's message line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QTableView, QWidget

from tongban.ui.cases import RowsModel, readable_case_number
from tongban.ui.inbox import InboxView
from tongban.ui.inbox_models import (
    alarmed,
    day_text,
    elsewhere_model,
    flags_text,
    inbox_model,
    materials_model,
    scans_model,
    timeline_model,
)
from tongban.ui.processing_dialogs import (
    ActionDialog,
    ScanChoice,
    ScanDialog,
    SupplementDialog,
    SupplementRequest,
    SuppliedDialog,
    approve_dialog,
    collect_dialog,
    reject_dialog,
)
from tongban.ui.processing_ports import (
    Action,
    ApplicantDetails,
    CaseFile,
    ProcessingServices,
    WorkItem,
    WorkLists,
)
from tongban.ui.tasks import TaskRunner

# Opens a file with the system's viewer; False when nothing could open it.
OpenFile = Callable[[Path], bool]
# Asks for a scan's file, starting in a folder; None when the clerk chose none.
ChooseFile = Callable[[QWidget, Path], Path | None]
DEFAULT_COLLECTOR = "申请人"
SCAN_FILTER = "扫描件 (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;所有文件 (*)"


def open_with_system(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def choose_with_dialog(parent: QWidget, folder: Path) -> Path | None:
    title = QCoreApplication.translate("processing", "选择扫描件文件")
    filters = QCoreApplication.translate("processing", SCAN_FILTER)
    chosen, _filter = QFileDialog.getOpenFileName(parent, title, str(folder), filters)
    return Path(chosen) if chosen else None


class InboxController(QObject):
    recorded = Signal()  # an action was recorded (the status bar's sync count changes)

    def __init__(
        self,
        view: InboxView,
        *,
        services: ProcessingServices,
        runner: TaskRunner,
        open_file: OpenFile = open_with_system,
        choose_file: ChooseFile = choose_with_dialog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self._services = services
        self._runner = runner
        self._open_file = open_file
        self._choose_file = choose_file
        self._scan_folder = Path.home()  # until the service says where the scanner writes
        self.inbox = inbox_model(self)
        self.elsewhere = elsewhere_model(self)
        self.materials = materials_model(self)
        self.scans = scans_model(self)
        self.timeline = timeline_model(self)
        self.opened: CaseFile | None = None
        # Answers to an older question are dropped: one count for the lists, one for the file.
        self._lists_asked = 0
        self._file_asked = 0
        self.supplement_dialog = SupplementDialog(view)
        self.supplied_dialog = SuppliedDialog(view)
        self.approve_dialog = approve_dialog(view)
        self.reject_dialog = reject_dialog(view)
        self.collect_dialog = collect_dialog(view)
        self.scan_dialog = ScanDialog(view)
        self._wire()
        self.clear()

    def _wire(self) -> None:
        v, f = self.view, self.view.file
        v.inbox.setModel(self.inbox)
        v.elsewhere.setModel(self.elsewhere)
        f.materials.setModel(self.materials)
        f.scans.setModel(self.scans)
        f.timeline.setModel(self.timeline)
        f.fit_timeline()
        for table in (v.inbox, v.elsewhere):
            table.activated.connect(lambda index, t=table: self._row_activated(t, index.row()))
        f.scans.activated.connect(lambda index: self.open_scan(index.row()))
        v.refresh.clicked.connect(self.refresh)
        f.reveal.clicked.connect(self.reveal)
        for action, button in f.actions.items():
            button.clicked.connect(lambda _=False, a=action: self.act(a))
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), f)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.focus_list)
        self.supplement_dialog.submitted.connect(self._supplement)
        self.supplied_dialog.submitted.connect(self._supplied)
        self.approve_dialog.submitted.connect(self._approve)
        self.reject_dialog.submitted.connect(self._reject)
        self.collect_dialog.submitted.connect(self._collect)
        self.scan_dialog.submitted.connect(self._attach_scan)
        self.scan_dialog.browse_requested.connect(self._browse_scan)

    # The lists ----------------------------------------------------------------------------------

    def focus(self) -> None:
        """Shown (Ctrl+F7): the lists read anew, the focus in the current list."""
        self.refresh()
        self.focus_list()

    def focus_list(self) -> None:
        table = self.view.current_list()
        table.setFocus()
        if not table.currentIndex().isValid() and table.model().rowCount():
            table.setCurrentIndex(table.model().index(0, 0))

    def refresh(self) -> None:
        self._lists_asked += 1
        asked = self._lists_asked
        self._runner.run(
            self._services.work_lists,
            on_success=lambda lists: self._lists_came(asked, lists),
            on_failure=self.show_refusal,
        )

    def _lists_came(self, asked: int, lists: WorkLists) -> None:
        if asked != self._lists_asked:
            return
        for table, model, rows in (
            (self.view.inbox, self.inbox, lists.inbox),
            (self.view.elsewhere, self.elsewhere, lists.elsewhere),
        ):
            kept = _current_number(table, model)
            model.set_rows(rows)
            _select(table, model, kept)
        self._name_lists(lists)
        late = sum(1 for item in (*lists.inbox, *lists.elsewhere) if alarmed(item))
        self.view.show_message(
            self.tr("待办 {n} 件，他中心办理 {m} 件；超期提醒 {k} 件").format(
                n=len(lists.inbox), m=len(lists.elsewhere), k=late
            ),
            alarm=late > 0,
        )

    def _name_lists(self, lists: WorkLists) -> None:
        names = (
            (lists.inbox, self.tr("待办")),
            (lists.elsewhere, self.tr("本中心受理、他中心办理")),
        )
        for index, (rows, name) in enumerate(names):
            late = sum(1 for item in rows if alarmed(item))
            text = f"{name}（{len(rows)}）"
            if late:
                text += self.tr(" · 超期 {n}").format(n=late)
            self.view.lists.setTabText(index, text)

    def clear(self) -> None:
        """Nothing of the last session stays."""
        self._lists_asked += 1
        self._file_asked += 1
        for model in (self.inbox, self.elsewhere):
            model.set_rows([])
        self.view.show_message("")
        self._show_file(None)
        for dialog in self._dialogs():
            dialog.reject()

    # One case -----------------------------------------------------------------------------------

    def _row_activated(self, table: QTableView, row: int) -> None:
        if row >= 0:
            model = self.inbox if table is self.view.inbox else self.elsewhere
            self.open_case(model.row_at(row).case_number)

    def open_case(self, number: str, *, focus: bool = True) -> None:
        self._file_asked += 1
        asked = self._file_asked
        self._runner.run(
            lambda: self._services.case_file(number),
            on_success=lambda found: self._file_came(asked, found, focus),
            on_failure=self.show_refusal,
        )

    def _file_came(self, asked: int, found: CaseFile, focus: bool) -> None:
        if asked != self._file_asked:
            return
        self._show_file(found)
        if focus:
            self._focus_first_action()

    def _show_file(self, found: CaseFile | None) -> None:
        self.opened = found
        f = self.view.file
        item = found.item if found else None
        f.heading.setText(_heading(item) if item else self.tr("在列表中选择办件，按回车打开"))
        f.flags.setText(flags_text(item) if item and alarmed(item) else "")
        f.flags.setVisible(bool(f.flags.text()))
        f.applicant.setText(_masked_applicant(found) if found else "")
        f.centers.setText(self._centers(found) if found else "")
        f.supplement.setText(self._supplement_text(found) if found else "")
        f.scans_note.setText(found.scans_note if found else "")
        f.scans_note.setVisible(bool(found and found.scans_note))
        self.materials.set_rows(found.materials if found else [])
        self.scans.set_rows(found.scans if found else [])
        self.timeline.set_rows(found.timeline if found else [])
        f.reveal.setEnabled(found is not None)
        for action, button in f.actions.items():
            button.setEnabled(item is not None and item.can(action))

    def _focus_first_action(self) -> None:
        # 附扫描件 is an aside, never where a case opens: Enter there would start it on a case
        # the clerk only follows.
        buttons = [
            b for a, b in self.view.file.actions.items() if b.isEnabled() and a is not Action.SCAN
        ]
        (buttons[0] if buttons else self.view.file.timeline).setFocus()

    def _centers(self, found: CaseFile) -> str:
        item = found.item
        return self.tr("受理：{a}；办理：{p}；领取：{c}").format(
            a=item.accepting_center_name,
            p=item.processing_center_name,
            c=found.collection_center_name,
        )

    def _supplement_text(self, found: CaseFile) -> str:
        item, lines = found.item, []
        if item.supplement_materials:
            lines.append(
                self.tr("待补正：{m}（限 {day}）；理由：{r}").format(
                    m="、".join(item.supplement_materials),
                    day=day_text(item.supplement_due),
                    r=found.supplement_reason,
                )
            )
        if found.closing_reason:
            lines.append(self.tr("不予批准理由：{r}").format(r=found.closing_reason))
        lines.append(
            self.tr("受理时间 {at}；承诺办结 {due}").format(
                at=f"{item.accepted_at:%Y-%m-%d %H:%M}", due=day_text(item.due)
            )
        )
        return "\n".join(lines)

    def reveal(self) -> None:
        found = self.opened
        if found is None:
            return
        number = found.item.case_number
        self._runner.run(
            lambda: self._services.reveal_applicant(number),
            on_success=lambda details: self._revealed(number, details),
            on_failure=self.show_refusal,
        )

    def _revealed(self, number: str, details: ApplicantDetails) -> None:
        if self.opened is None or self.opened.item.case_number != number:
            return
        lines = [
            f"{details.name}　{details.document} {details.id_number}",
            self.tr("电话 {phone}；户籍地 {h}；居住地 {r}").format(
                phone=details.phone or "—", h=details.household, r=details.residence
            ),
        ]
        if details.agent:
            lines.append(self.tr("代办人 {agent}").format(agent=details.agent))
        self.view.file.applicant.setText("\n".join(lines))
        self.view.show_message(self.tr("已显示申请人完整信息（此次查看已记录）"))

    def open_scan(self, row: int) -> None:
        found = self.opened
        if found is None or row < 0:
            return
        scan = self.scans.row_at(row)
        number = found.item.case_number
        self.view.show_message(self.tr("正在打开扫描件…"))
        self._runner.run(
            lambda: self._services.open_scan(number, scan.sha256),
            on_success=self._scan_ready,
            on_failure=self.show_refusal,
        )

    def _scan_ready(self, path: Path) -> None:
        if self._open_file(path):
            self.view.show_message(self.tr("已用系统查看器打开扫描件"))
        else:
            self.view.show_message(
                self.tr("没有可以打开此文件的程序：{path}").format(path=str(path)), alarm=True
            )

    # Actions ------------------------------------------------------------------------------------

    def act(self, action: Action) -> None:
        found = self.opened
        if found is None or not found.item.can(action):
            return
        number, line = found.item.case_number, _heading(found.item)
        if action is Action.SIGN:
            self._record(lambda: self._services.sign_for(number), self.tr("已签收"))
        elif action is Action.READY:
            self._record(lambda: self._services.ready(number), self.tr("已通知结果待领取"))
        elif action is Action.SUPPLEMENT:
            self._open_supplement(found, line)
        elif action is Action.SUPPLIED:
            self.supplied_dialog.prepare(found.item.supplement_materials)
            self.supplied_dialog.open_for(line)
        elif action is Action.APPROVE:
            self.approve_dialog.prepare()
            self.approve_dialog.open_for(line)
        elif action is Action.REJECT:
            self.reject_dialog.prepare()
            self.reject_dialog.open_for(line)
        elif action is Action.COLLECT:
            self.collect_dialog.prepare(self.tr(DEFAULT_COLLECTOR))
            self.collect_dialog.open_for(line)
        elif action is Action.SCAN:
            self._open_scan_dialog(found, line)

    def _open_supplement(self, found: CaseFile, line: str) -> None:
        names = [*found.item_materials, *(m.name for m in found.materials)]

        def ask(due: date) -> None:
            self.supplement_dialog.prepare(names, due)
            self.supplement_dialog.open_for(line)

        self._runner.run(
            self._services.default_supplement_due, on_success=ask, on_failure=self.show_refusal
        )

    def _open_scan_dialog(self, found: CaseFile, line: str) -> None:
        names = [*(m.name for m in found.materials), *found.item.supplement_materials]

        def ask(folder: Path) -> None:
            self._scan_folder = folder
            self.scan_dialog.prepare(names)
            self.scan_dialog.open_for(line)

        self._runner.run(self._services.scan_folder, on_success=ask, on_failure=self.show_refusal)

    def _browse_scan(self) -> None:
        chosen = self._choose_file(self.scan_dialog, self._scan_folder)
        if chosen is not None:
            self.scan_dialog.set_file(chosen)

    def _attach_scan(self, choice: ScanChoice) -> None:
        number = self._opened_number()
        self._runner.run(
            lambda: self._services.attach_scan(number, choice.material, choice.path),
            on_success=lambda _none: self._scan_attached(number, choice),
            on_failure=self.scan_dialog.show_refusal,
        )

    def _scan_attached(self, number: str, choice: ScanChoice) -> None:
        self.scan_dialog.accept()
        self.recorded.emit()
        self.open_case(number, focus=False)  # its scans table read anew
        self.view.show_message(
            self.tr("已附扫描件：{material}（{file}）").format(
                material=choice.material, file=choice.path.name
            )
        )

    def _supplement(self, request: SupplementRequest) -> None:
        number = self._opened_number()
        self._record(
            lambda: self._services.request_supplement(
                number, materials=request.materials, reason=request.reason, due=request.due
            ),
            self.tr("已要求补正"),
            self.supplement_dialog,
        )

    def _supplied(self, materials: tuple[str, ...]) -> None:
        number = self._opened_number()
        self._record(
            lambda: self._services.supplied(number, materials=materials),
            self.tr("已记录补正材料"),
            self.supplied_dialog,
        )

    def _approve(self, note: str) -> None:
        number = self._opened_number()
        self._record(
            lambda: self._services.approve(number, note=note),
            self.tr("已准予办理"),
            self.approve_dialog,
        )

    def _reject(self, reason: str) -> None:
        number = self._opened_number()
        self._record(
            lambda: self._services.reject(number, reason=reason),
            self.tr("已不予批准"),
            self.reject_dialog,
        )

    def _collect(self, collected_by: str) -> None:
        number = self._opened_number()
        self._record(
            lambda: self._services.collect(number, collected_by=collected_by),
            self.tr("已领取"),
            self.collect_dialog,
        )

    def _record(
        self, work: Callable[[], WorkItem], done: str, dialog: ActionDialog | None = None
    ) -> None:
        fail = dialog.show_refusal if dialog is not None else self.show_refusal
        self._runner.run(
            work, on_success=lambda item: self._recorded(item, done, dialog), on_failure=fail
        )

    def _recorded(self, item: WorkItem, done: str, dialog: ActionDialog | None) -> None:
        if dialog is not None:
            dialog.accept()
        self.recorded.emit()
        self.refresh()
        self.open_case(item.case_number)
        message = self.tr("{done}：{case}（{status}）").format(
            done=done, case=readable_case_number(item.case_number), status=item.status_label
        )
        self.view.show_message(message)

    def _opened_number(self) -> str:
        assert self.opened is not None, "an action's dialog is open only for an opened case"
        return self.opened.item.case_number

    def show_refusal(self, message: str) -> None:
        self.view.show_message(message, alarm=True)

    def _dialogs(self) -> tuple[ActionDialog, ...]:
        return (
            self.supplement_dialog,
            self.supplied_dialog,
            self.approve_dialog,
            self.reject_dialog,
            self.collect_dialog,
            self.scan_dialog,
        )

    def close_dialogs(self) -> None:
        for dialog in self._dialogs():
            dialog.reject()


def _heading(item: WorkItem) -> str:
    return f"{readable_case_number(item.case_number)}　{item.item_name}　{item.status_label}"


def _masked_applicant(found: CaseFile) -> str:
    item = found.item
    text = f"{item.applicant_name_masked}　{item.applicant_id_masked}"
    if found.agent_masked:
        agent = QCoreApplication.translate("processing", "代办人 {agent}")
        text += "\n" + agent.format(agent=found.agent_masked)
    return text


def _current_number(table: QTableView, model: RowsModel) -> str | None:
    row = table.currentIndex().row()
    return model.row_at(row).case_number if 0 <= row < model.rowCount() else None


def _select(table: QTableView, model: RowsModel, number: str | None) -> None:
    for row in range(model.rowCount()):
        if model.row_at(row).case_number == number:
            table.setCurrentIndex(model.index(row, 0))
            return
    if model.rowCount():
        table.setCurrentIndex(model.index(0, 0))
