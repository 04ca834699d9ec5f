"""Scans of materials in the central database (central/scans.py).

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-01

scan_files: one row per scan, by the SHA-256 of its content, with its size, the bytes received
so far and whether it is complete (every byte there and the whole file's SHA-256 checked).
scan_chunks: the bytes, in pieces of at most 1 MB keyed by where they start (bytea on
PostgreSQL): the service keeps no files of its own, so every instance can take and serve them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0005"
down_revision: str | None = "c0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scan_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_scan_files")),
    )
    op.create_table(
        "scan_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["scan_files.sha256"], name=op.f("fk_scan_chunks_sha256_scan_files")
        ),
        sa.PrimaryKeyConstraint("sha256", "start", name=op.f("pk_scan_chunks")),
    )


def downgrade() -> None:
    op.drop_table("scan_chunks")
    op.drop_table("scan_files")
