"""What the first-run wizard needs from the application, and the values that cross that boundary.

tongban.desktop implements `SetupServices` (desktop/first_run.py). Every method may be slow (the
network, the printer), so the wizard calls them through tasks.TaskRunner, never on the GUI
thread. A refusal the administrator can act on (a wrong address, a used code, no keyring, a
printer that does not answer) raises `SetupRefused`: its kind tells the wizard what to offer, its
message (zh_CN) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from tongban.ui.ports import ServiceError


class PaperChoice(StrEnum):
    """The workstation's paper (the same values as the settings' and the documents' Paper)."""

    A4 = "a4"
    ROLL80 = "roll80"  # 80 mm thermal receipt roll


class SetupProblem(StrEnum):
    BAD_ADDRESS = "bad_address"  # not a web address
    UNREACHABLE = "unreachable"  # no answer: network, address, service not running
    NOT_A_SERVICE = "not_a_service"  # something answered, but not the tongban sync service
    CODE_REFUSED = "code_refused"  # unknown, mistyped or already used
    CODE_EXPIRED = "code_expired"
    NO_KEYRING = "no_keyring"  # the wizard may offer the file store, as an explicit choice
    ALREADY_SET_UP = "already_set_up"
    SERVER = "server"  # the service could not do it now
    SETTINGS = "settings"  # the data directory cannot be written
    PRINTER = "printer"


class SetupRefused(ServiceError):
    """Setup cannot go on for a reason the administrator can act on."""

    def __init__(self, problem: SetupProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class Enrolled:
    """The workstation as the central service registered it."""

    center_name: str
    workstation_name: str
    site_code: str
    workstation_number: int
    token_location: str  # where the device token is kept, in words
    update_notice: str  # "" unless this program is below the center's minimum version


@dataclass(frozen=True)
class PrinterOption:
    name: str  # the system's queue name
    label: str  # what the administrator reads
    is_default: bool


class SetupServices(Protocol):
    """The application behind the first-run wizard (implemented in tongban.desktop)."""

    def check_server(self, address: str) -> str:
        """The service's address, normalised, once it answered as the tongban sync service."""
        ...

    def enroll(self, server: str, code: str, *, token_in_file: bool) -> Enrolled:
        """Redeem the enrollment code and set the workstation up. Nothing is written unless it
        succeeds; `token_in_file` is the administrator's explicit choice of the 0600 file."""
        ...

    def printers(self) -> Sequence[PrinterOption]:
        """The printers the system offers, default first."""
        ...

    def save_printing(self, printer: str, paper: PaperChoice) -> None:
        """Keep the printer ("" = the system's default) and the paper in the settings."""
        ...

    def print_test_page(self, printer: str, paper: PaperChoice) -> int:
        """Print the test page there; the number of pages sent to the printer."""
        ...
