"""The program versions the central service last announced, kept with the sync bookkeeping.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Two nullable columns on the one sync_state row: a workstation that starts without a network
still knows it is below the minimum version and says so (models/app_versions.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("current_app_version", "minimum_app_version")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("sync_state", sa.Column(name, sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
