"""Running the sync service: one process, or several sharing one listening socket.

Several processes are several instances of the same stateless service (as behind a proxy):
each opens its own database pool and its own LISTEN connection, so a push to one wakes the
long-polls waiting at the others (notify.py). uvicorn starts the workers and hands each the
socket; a worker builds its app from the environment (`app_from_environment`), since only an
import path crosses into a new process.
"""

from __future__ import annotations

import gc
import os

from fastapi import FastAPI

from tongban.central.store import CentralStore

WORKER_DB_ENVIRONMENT = "TONGBAN_CENTRAL_WORKER_DB"
SERVE_POOL_SIZE = 10  # per process: the long-poll's feed threads plus pushes (long_poll.py)
MAX_WORKERS = 16


def serve_one(store: CentralStore, *, host: str, port: int) -> None:
    """Serve in this process until interrupted."""
    import uvicorn

    from tongban.central.app import create_app

    app = create_app(store)
    settle_startup_objects()
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, server_header=False)).run()


def serve_workers(db_url: str, *, host: str, port: int, workers: int) -> int:
    """Serve with `workers` processes until interrupted; the exit status."""
    import uvicorn

    os.environ[WORKER_DB_ENVIRONMENT] = db_url
    uvicorn.run(
        f"{__name__}:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
    )
    return 0


def app_from_environment() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each)."""
    from tongban.central.app import create_app
    from tongban.central.database import database_url, open_database

    url = database_url(os.environ[WORKER_DB_ENVIRONMENT])
    app = create_app(CentralStore(open_database(url, pool_size=SERVE_POOL_SIZE)))
    settle_startup_objects()
    return app


def settle_startup_objects() -> None:
    """Take what the process loaded to serve (the app, its schemas, reference data: ~140,000
    objects) out of the cyclic garbage collector's view. They live as long as the process, yet
    every full collection would walk them again, and one falls inside a push now and then
    (0.1–0.2 s on the benchmark machine). Objects made later are collected as before."""
    gc.collect()
    gc.freeze()
