"""日结 days this workstation has heard of: the center's days a supervisor signed off.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

One row per Shanghai day of this workstation's center that was signed off (pulled from the
center, or signed here): who signed it and when. The local write path refuses events that
would change such a day's intake (models/store/closed_days.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "day_closures",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.String(length=20), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("learned_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_day_closures")),
    )


def downgrade() -> None:
    op.drop_table("day_closures")
