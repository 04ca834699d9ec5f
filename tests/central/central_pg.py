"""A throwaway PostgreSQL cluster for the central store's tests: initdb + pg_ctl in a temp dir.

The server listens only on a unix socket inside its own directory, so it needs no free port and
nothing outside can reach it; trust authentication is enough for that. initdb and postgres refuse
to run as root, so when the tests run as root (CI does) the directory is handed to the `postgres`
system user and the server programs run through `runuser -u postgres --`.
Durability is switched off (fsync, full_page_writes): the cluster lives for one test run.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

_names = itertools.count(1)
SERVER_USER = "postgres"
DATABASE_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The cluster could not be created or started; the message says why."""


@dataclass
class Cluster:
    root: Path
    bindir: Path
    as_root: bool

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database in this cluster."""
        return f"postgresql+psycopg://{DATABASE_USER}@/{database}?host={self.socket_dir}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host={self.socket_dir} user={DATABASE_USER} dbname={database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str) -> str:
        """A new database copied from `template`; returns its name."""
        name = f"central_{next(_names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f"DROP DATABASE {name} WITH (FORCE)")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def start_cluster() -> Cluster:
    """Create and start a cluster; PostgresUnavailable with the server's own words if not."""
    bindir = _bindir()
    as_root = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="tongban-pg-"))
    cluster = Cluster(root=root, bindir=bindir, as_root=as_root)
    try:
        if as_root:
            shutil.chown(root, user=SERVER_USER, group=SERVER_USER)
        _checked(
            cluster._run(
                "initdb",
                "-D",
                str(cluster.data),
                "-U",
                DATABASE_USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ),
            "initdb",
        )
        options = (
            f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off "
            "-c synchronous_commit=off -c max_connections=200"
        )
        log = root / "server.log"
        result = cluster._run(
            "pg_ctl",
            "start",
            "-D",
            str(cluster.data),
            "-o",
            options,
            "-l",
            str(log),
            "-w",
            "-t",
            "60",
        )
        if result.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed:\n{result.stderr}\n{server_log}")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        raise PostgresUnavailable("pg_config not found: install PostgreSQL 15 (postgresql-15)")
    out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    bindir = Path(out.stdout.strip())
    if not (bindir / "initdb").exists():
        raise PostgresUnavailable(f"initdb not found in {bindir} (pg_config --bindir)")
    return bindir


def _checked(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        raise PostgresUnavailable(f"{what} failed:\n{result.stdout}\n{result.stderr}")
