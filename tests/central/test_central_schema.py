"""The central schema: migrations equal the models on both databases; the logs only grow."""

from datetime import UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from central_support import CENTER_A, enrolled, next_event
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tongban.central.database import database_url, head_revision, open_database
from tongban.central.errors import CentralError
from tongban.central.reference import checksum
from tongban.central.schema import SCHEMA_VERSION, Base
from tongban.central.store import CentralStore
from tongban.models.catalog import default_catalog_path


def test_the_migrations_create_exactly_the_models(db_url: str) -> None:
    database = open_database(db_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == SCHEMA_VERSION == head_revision()
    finally:
        database.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET kind = 'approved'",
        "DELETE FROM events",
        "UPDATE rejections SET reason = ''",
        "DELETE FROM catalog_revisions",
    ],
)
def test_the_logs_only_grow(store: CentralStore, tmp_path: Path, statement: str) -> None:
    counter = enrolled(store, tmp_path, CENTER_A)
    counter.accept()
    [accepted] = counter.outbox()
    stray = next_event(counter, accepted, stream_id="31010400326030200100999")
    results = store.push(counter.workstation, [accepted, stray]).outcome.results
    assert [r.outcome for r in results] == ["accepted", "rejected"]
    with (
        pytest.raises(DatabaseError, match=r"只能追加|不能修改或删除"),
        store.database.transaction() as session,
    ):
        session.execute(text(statement))


def test_a_published_revision_never_changes(store: CentralStore) -> None:
    content = default_catalog_path().read_text(encoding="utf-8")
    same = store.publish_catalog(content, file_name="again.yaml")
    assert same.checksum == checksum(content)
    with pytest.raises(CentralError, match="已发布且内容不同"):
        store.publish_catalog(content + "\n# 改动\n", file_name="changed.yaml")
    with pytest.raises(CentralError, match="事项目录无效"):
        store.publish_catalog("revision: [", file_name="broken.yaml")


@pytest.mark.parametrize(
    ("typed", "driver"),
    [
        ("postgresql://tongban@db.internal/central", "postgresql+psycopg"),
        ("postgres://tongban@db.internal/central", "postgresql+psycopg"),
        ("sqlite:////tmp/central.db", "sqlite"),
    ],
)
def test_database_urls(typed: str, driver: str) -> None:
    assert database_url(typed).drivername == driver


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("mysql://x/y", "只支持"),
        ("sqlite://", "SQLite 数据库须为文件"),
        ("sqlite:////no/such/dir/central.db", "数据库目录不存在"),
        ("not a url", "格式不正确"),
    ],
)
def test_unusable_database_urls(typed: str, message: str) -> None:
    with pytest.raises(CentralError, match=message):
        database_url(typed)


def test_times_come_back_in_utc(store: CentralStore) -> None:
    enrollment = store.enroll(center_code="310104003", name="1号窗口")
    assert enrollment.expires_at.tzinfo is UTC
    assert store.workstations()[0].last_contact_at is None
