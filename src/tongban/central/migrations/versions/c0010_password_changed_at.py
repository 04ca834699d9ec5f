"""When an administrator last set a clerk's password, so a reset also lifts a 日结 lockout.

Revision ID: c0010
Revises: c0009
Create Date: 2026-11-28

clerks.password_changed_at: set by `tongban central reset-password` (clerks.set_clerk_password);
NULL for accounts whose password was never reset. The service's sign-off lockout
(central/signoff_guard.py) counts only the failed checks made after it: the guesses were against
a password that no longer opens the account.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0010"
down_revision: str | None = "c0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("clerks", sa.Column("password_changed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Not batch mode: copying clerks on SQLite would trip the foreign keys that point at it.
    # SQLite 3.35+ drops a plain column in place.
    op.drop_column("clerks", "password_changed_at")
