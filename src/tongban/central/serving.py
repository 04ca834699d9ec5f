"""Running the sync service: one process, or several sharing one listening socket.

Several processes are several instances of the same stateless service (as behind a proxy):
each opens its own database pool and its own LISTEN connection, so a push to one wakes the
long-polls waiting at the others (notify.py). uvicorn starts the workers and hands each the
socket; a worker builds its app from the environment (`app_from_environment`), since only an
import path crosses into a new process.
"""

from __future__ import annotations

import errno
import gc
import os
import socket

from fastapi import FastAPI
from sqlalchemy import Engine

from tongban.central.store import CentralStore

WORKER_DB_ENVIRONMENT = "TONGBAN_CENTRAL_WORKER_DB"
SERVE_POOL_SIZE = 10  # per process: the long-poll's feed threads plus pushes (long_poll.py)
MAX_WORKERS = 16
# At most, per process: a pool for writes and one for reads, each SERVE_POOL_SIZE plus as many
# overflow (database.open_database), and the LISTEN connection (notify.py).
CONNECTIONS_PER_PROCESS = 4 * SERVE_POOL_SIZE + 1


def connection_shortfall(engine: Engine, workers: int) -> str | None:
    """A warning (zh_CN) when `workers` processes could open more connections than the
    PostgreSQL server accepts from ordinary users; None when they fit."""
    with engine.connect() as connection:
        allowed = int(connection.exec_driver_sql("SHOW max_connections").scalar_one())
        reserved = int(
            connection.exec_driver_sql("SHOW superuser_reserved_connections").scalar_one()
        )
    wanted = workers * CONNECTIONS_PER_PROCESS
    if wanted <= allowed - reserved:
        return None
    return (
        f"警告：{workers} 个服务进程最多会用 {wanted} 个数据库连接，"
        f"数据库服务器只接受 {allowed - reserved} 个（max_connections {allowed}）；"
        "忙时会有请求因连接不足而失败，请调大 max_connections 或减少进程数"
    )


def listen_problem(host: str, port: int) -> str | None:
    """Why the service could not listen on host:port (zh_CN, one line); None when it can. Tried
    before serving: uvicorn would report a taken port only after announcing the service, in
    English, among its start-up lines."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"无法监听 {host}:{port}：无法解析主机名 {host}"
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:
        code = error.errno or 0
        if code in _LISTEN_REASONS:
            reason = _LISTEN_REASONS[code].format(host=host, port=port)
        else:
            reason = os.strerror(code) if code > 0 else str(error)
    return f"无法监听 {host}:{port}：{reason}"


_LISTEN_REASONS = {
    errno.EADDRINUSE: "端口 {port} 已被占用（可能已有服务在运行）",
    errno.EADDRNOTAVAIL: "本机没有地址 {host}",
    errno.EACCES: "没有权限使用端口 {port}（1024 以下的端口需要管理员权限）",
}


def serve_one(store: CentralStore, *, host: str, port: int, access_log: bool = False) -> None:
    """Serve in this process until interrupted. `access_log`: a line for every request."""
    import uvicorn

    from tongban.central.app import create_app

    app = create_app(store)
    settle_startup_objects()
    config = uvicorn.Config(app, host=host, port=port, server_header=False, access_log=access_log)
    uvicorn.Server(config).run()


def serve_workers(
    db_url: str, *, host: str, port: int, workers: int, access_log: bool = False
) -> int:
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
        access_log=access_log,
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
