"""Fixtures of the central store's tests: a real PostgreSQL for the session, a fresh database each.

The PostgreSQL cluster (central_pg.py) starts once per test run; if it cannot start, every test
that needs it FAILS with the server's own words, because a central store that was never tested
against PostgreSQL is not tested. Each test gets a new database copied from a template that
`central init` prepared once (schema, geography, catalog), or a copy of the same for SQLite.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from central_pg import Cluster, PostgresUnavailable, start_cluster
from central_support import FakeClock
from sqlalchemy.engine import make_url

from tongban.central.database import open_database
from tongban.central.store import CentralStore

TEMPLATE = "central_template"


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    problem = None
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        problem = str(error)
    if problem is not None:
        pytest.fail(f"PostgreSQL 测试集群无法启动：{problem}", pytrace=False)
    try:
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        _initialise(cluster.url(TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("central-template") / "central.db"
    _initialise(f"sqlite:///{path}")
    return path


def _initialise(url: str) -> None:
    database = open_database(url)
    try:
        CentralStore(database).initialise()
    finally:
        database.close()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    name = pg_cluster.new_database(TEMPLATE)
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "central.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["postgresql", "sqlite"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test against PostgreSQL and against SQLite."""
    return str(request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url"))


@pytest.fixture
def backup_taker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A function that copies a (closed) database the way a backup would; returns the copy's URL."""
    made: list[str] = []

    def take(url: str) -> str:
        if url.startswith("sqlite:///"):
            copy = tmp_path / f"backup-{len(made)}.db"
            with (
                closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)
            return f"sqlite:///{copy}"
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        name = cluster.new_database(str(make_url(url).database))
        made.append(name)
        return cluster.url(name)

    yield take
    if made:
        cluster = request.getfixturevalue("pg_cluster")
        for name in made:
            cluster.drop_database(name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[CentralStore]:
    database = open_database(db_url)
    yield CentralStore(database, clock=clock)
    database.close()
