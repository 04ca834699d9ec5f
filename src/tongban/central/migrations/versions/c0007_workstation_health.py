"""Workstation health: each workstation's clock offset, and retiring a workstation.

Revision ID: c0007
Revises: c0006
Create Date: 2026-11-28

workstations.clock_offset_ms: the workstation's wall clock minus the service's, in milliseconds,
measured from the X-Tongban-Clock header when the service last wrote it (enrollment.py, at most
once a minute unless it moved by more than a few seconds); empty until the workstation has sent
one. BigInteger: a clock set a year wrong must still fit.
workstations.retired_at: when an administrator retired the workstation (`tongban central
retire-workstation`); its token is refused from then on and it no longer holds up 日结. A column
rather than a new status value: changing the status CHECK constraint would mean copying the
workstations table on SQLite, which outbox_reports references.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0007"
down_revision: str | None = "c0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("workstations", sa.Column("clock_offset_ms", sa.BigInteger(), nullable=True))
    op.add_column("workstations", sa.Column("retired_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Not batch mode: copying workstations on SQLite would trip the foreign keys that point at
    # it (outbox_reports, …). SQLite 3.35+ drops a plain column in place.
    op.drop_column("workstations", "retired_at")
    op.drop_column("workstations", "clock_offset_ms")
