"""Use cases of the counter, free of Qt: accounts, intake, cases, the demo installation.

`open_counter(data_dir)` builds the context once per process; `Counter(context)` is what the
window calls (ui.ports.CounterServices); the command line uses the same services directly.
"""

from tongban.desktop.demo_hint import DEMO_HINT, DEMO_PASSWORD
from tongban.desktop.services.accounts import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    Accounts,
    Actor,
    Attempt,
    Channel,
)
from tongban.desktop.services.cases import CaseDetail, Cases
from tongban.desktop.services.context import (
    NOT_CONFIGURED,
    CounterContext,
    NotConfigured,
    Station,
    open_counter,
)
from tongban.desktop.services.counter import Counter
from tongban.desktop.services.demo import DEMO_ACCOUNTS, prepare_demo
from tongban.desktop.services.documents import Paperwork
from tongban.desktop.services.errors import ServiceError, service_errors
from tongban.desktop.services.intake import Acceptance, Intake, Outcome, VisitRecord
from tongban.desktop.services.passwords import Passwords, password_problem

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_HINT",
    "DEMO_PASSWORD",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "NOT_CONFIGURED",
    "Acceptance",
    "Accounts",
    "Actor",
    "Attempt",
    "CaseDetail",
    "Cases",
    "Channel",
    "Counter",
    "CounterContext",
    "Intake",
    "NotConfigured",
    "Outcome",
    "Paperwork",
    "Passwords",
    "ServiceError",
    "Station",
    "VisitRecord",
    "open_counter",
    "password_problem",
    "prepare_demo",
    "service_errors",
]
