"""Scans of materials: how far each scan attached here got on its way to the center.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

One row per scan_attached event written on this workstation (the file is in the data
directory's scan folder, named by its sha256): its size, the bytes the center had at the last
answer, whether the center holds it whole, and why the center refused it, if it did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scan_uploads",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_bytes", sa.BigInteger(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_scan_uploads_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_scan_uploads")),
    )
    op.create_index(op.f("ix_scan_uploads_done"), "scan_uploads", ["done"])
    op.create_index(op.f("ix_scan_uploads_sha256"), "scan_uploads", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_scan_uploads_sha256"), table_name="scan_uploads")
    op.drop_index(op.f("ix_scan_uploads_done"), table_name="scan_uploads")
    op.drop_table("scan_uploads")
