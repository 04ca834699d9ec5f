"""The program versions the service announces to workstations (current and minimum).

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-01

Two nullable columns on the one central_state row, set by `tongban central versions`; empty
until an administrator announces versions, and then every workstation hears them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0002"
down_revision: str | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("current_app_version", "minimum_app_version")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("central_state", sa.Column(name, sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("central_state") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
