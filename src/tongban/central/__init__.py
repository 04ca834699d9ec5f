"""The central sync service: the only client of the central database.

Workstations never hold database credentials. They talk HTTP(S) to this thin, stateless service
(FastAPI on uvicorn) with a per-workstation device token: they push their outbox and long-poll
for the events that concern their center, plus catalog revisions and clerk accounts. PostgreSQL
is the production store and several instances can serve it behind a proxy; the same service runs
on SQLite for a single machine. The protocol is described in docs/SYNC.md.

Modules: schema (tables) and migrations/ (Alembic), database (URL, engine, sessions), store (the
operations, one transaction each) over enrollment, push, pull, authorization, clerks, reference
and state; wire (JSON bodies), app (HTTP), notify (waking long-polls), cli (`tongban central`).
This package imports tongban.models and third-party libraries only; never desktop, ui or Qt.
"""

from tongban.central.app import create_app
from tongban.central.database import CentralDatabase, database_url, migrate, open_database
from tongban.central.errors import CentralError
from tongban.central.store import CentralStore

__all__ = [
    "CentralDatabase",
    "CentralError",
    "CentralStore",
    "create_app",
    "database_url",
    "migrate",
    "open_database",
]
