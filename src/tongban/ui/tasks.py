"""The one way the counter window does slow work: off the GUI thread, answers back on it.

Every service call and every slow preparation (search indexes) goes through `TaskRunner.run`.
The work runs on a private pool with a single thread, so calls reach the services one at a
time and in order (a database session is not shared between threads); success and failure are
delivered to the GUI thread by queued signals. Tests construct the runner with
`synchronous=True`: the work and its callback then run at once, inside `run`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal

T = TypeVar("T")
SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[str], None]

log = logging.getLogger(__name__)


def describe_failure(error: BaseException) -> str:
    """The text a clerk reads for a failed task; faults are logged, never shown in full."""
    # Imported here: the runner starts before the reference data (which ports needs) is loaded.
    from tongban.ui.ports import ServiceError

    if isinstance(error, ServiceError):
        return str(error)
    # The exception text may hold personal data: it goes to the log only.
    log.error("后台任务失败：%s", type(error).__name__, exc_info=error)
    return QCoreApplication.translate(
        "tasks", "系统错误，操作未完成。请重试；如仍失败，请联系管理员。"
    )


class _Relay(QObject):
    """Lives on the GUI thread; its signals carry one task's outcome back there."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs callables on a worker thread and calls back on the GUI thread."""

    busy_changed = Signal(bool)  # True while any task is pending
    failed = Signal(str)  # a failure that had no on_failure of its own

    def __init__(self, *, synchronous: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._synchronous = synchronous
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pending: dict[_Relay, _Job] = {}

    @property
    def synchronous(self) -> bool:
        return self._synchronous

    def pending(self) -> int:
        return len(self._pending)

    def run(
        self,
        work: Callable[[], T],
        *,
        on_success: Callable[[T], None],
        on_failure: FailureCallback | None = None,
    ) -> None:
        """Do `work` off the GUI thread; then on_success(result) or on_failure(message)."""
        fail = on_failure or self.failed.emit
        if self._synchronous:
            self._run_now(work, on_success, fail)
            return
        relay = _Relay(self)
        job = _Job(work, relay)
        job.setAutoDelete(False)  # the relay holds it until the outcome is delivered
        relay.succeeded.connect(lambda result: self._finish(relay, lambda: on_success(result)))
        relay.failed.connect(
            lambda error: self._finish(relay, lambda: fail(describe_failure(error)))
        )
        self._pending[relay] = job
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._pool.start(job)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the queued work is done (at shutdown); False on timeout."""
        return self._pool.waitForDone(msecs)

    def _run_now(
        self, work: Callable[[], T], on_success: Callable[[T], None], fail: FailureCallback
    ) -> None:
        try:
            result = work()
        except Exception as error:
            fail(describe_failure(error))
        else:
            on_success(result)

    def _finish(self, relay: _Relay, deliver: Callable[[], None]) -> None:
        self._pending.pop(relay, None)
        relay.deleteLater()
        try:
            deliver()
        finally:
            if not self._pending:
                self.busy_changed.emit(False)
