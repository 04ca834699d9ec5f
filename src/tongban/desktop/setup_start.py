"""A workstation without configuration starts with the setup wizard, then the normal start.

`desktop.app.start_workstation` chooses: no settings file in the data directory → this wizard
(ui/setup_wizard.py on desktop/first_run.py); when it completes, the normal start takes over
(the login page, then the counter window, as if the program had just been started). Closing the
wizard before the enrollment leaves nothing behind and ends the program; closing it after the
enrollment goes on to the login page, since the workstation is set up by then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from tongban.ui.setup_ports import SetupServices
from tongban.ui.setup_wizard import SetupWizardController, SetupWizardView
from tongban.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class Closable(Protocol):
    def close(self) -> None: ...


class FirstRunStart:
    """The setup wizard now; whatever `then(data_dir)` starts once it is done (the login)."""

    def __init__(
        self,
        data_dir: Path,
        *,
        then: Callable[[Path], Closable],
        services: SetupServices | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.next_start: Closable | None = None
        self._then = then
        self.wizard = SetupWizardView()
        self.runner = TaskRunner(parent=self.wizard)
        if services is None:
            from tongban.desktop.first_run import DesktopSetup

            services = DesktopSetup(data_dir)
        self.controller = SetupWizardController(
            self.wizard, services=services, runner=self.runner, parent=self.wizard
        )
        self.controller.completed.connect(self._completed)
        self.wizard.rejected.connect(self._closed)

    def show(self) -> None:
        self.wizard.show()

    def close(self) -> None:
        """The event loop has ended: wait for the wizard's work, close what came after it."""
        self.runner.wait(5000)
        if self.next_start is not None:
            self.next_start.close()

    def _completed(self) -> None:
        if self.next_start is not None:
            return
        log.info("工作站已通过首次设置向导登记：%s", self.data_dir)
        # The login shows before the wizard goes, so the application never has no window.
        self.next_start = self._then(self.data_dir)
        self.wizard.accept()

    def _closed(self) -> None:
        if self.controller.enrolled is not None:
            self._completed()
        else:
            log.info("首次设置向导未完成登记即关闭：%s", self.data_dir)
