"""Audit entries travel to the center; pulled events this store refused are kept.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

audit_log already has synced_at (set once, by trigger): an index on it lets every sync round
find the entries not yet sent (desktop/sync/audit.py) without reading the whole log.
remote_problems: one row per pulled event this store could not take (an id with other
content, a cloned workstation's sequence) or could not apply (a case it does not know, an
event that does not fit the case, a payload it cannot read), with the reason in zh_CN, for
the sync view (同步问题) and `tongban sync problems`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_log_synced_at"), "audit_log", ["synced_at"])
    op.create_table(
        "remote_problems",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("workstation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stream_type", sa.String(length=8), nullable=False),
        sa.Column("stream_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_remote_problems")),
    )
    op.create_index(op.f("ix_remote_problems_stream_id"), "remote_problems", ["stream_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_remote_problems_stream_id"), table_name="remote_problems")
    op.drop_table("remote_problems")
    op.drop_index(op.f("ix_audit_log_synced_at"), table_name="audit_log")
