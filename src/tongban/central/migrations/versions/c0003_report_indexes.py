"""Indexes for the supervisor's reports (central/reports.py).

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-01

A center's day is read from the events its workstations wrote that day (author_center,
created_at), the cases accepted elsewhere that it processes (processing_center, accepted_at),
and its cases still open (accepting_center, status). With them one center-day report reads a
few dozen index entries however large the log grows (benches/bench_daily_report.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c0003"
down_revision: str | None = "c0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("events", ("author_center", "created_at")),
    ("case_index", ("processing_center", "accepted_at")),
    ("case_index", ("accepting_center", "status")),
)


def _name(table: str, columns: Sequence[str]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(op.f(_name(table, columns)), table, list(columns))


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
