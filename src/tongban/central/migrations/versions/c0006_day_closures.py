"""日结: the supervisor's sign-off of a center's day, and each workstation's reported outbox.

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-01

day_closures: one row per center and Shanghai day signed off (central/closures.py): who signed
(a supervisor of the center), when, at which workstation, and the day's intake report as it was
then (IntakeReport.to_json_dict()). Append-only: a sign-off is never changed or taken back.
outbox_reports: what each workstation last said of its outbox (header X-Tongban-Outbox): how
many events wait and when the oldest was recorded, and when the service heard it. A day can be
signed off only when every active workstation of the center has said, after the day's service
hours, that none of the day's events still waits.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c0006"
down_revision: str | None = "c0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MESSAGE = "日结记录不能修改或删除"


def upgrade() -> None:
    op.create_table(
        "day_closures",
        sa.Column("center_code", sa.String(length=9), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.String(length=20), nullable=False),
        sa.Column("signed_by_name", sa.String(length=50), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("report", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["center_code"], ["centers.code"], name=op.f("fk_day_closures_center_code_centers")
        ),
        sa.PrimaryKeyConstraint("center_code", "day", name=op.f("pk_day_closures")),
    )
    op.create_table(
        "outbox_reports",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("oldest_pending_at", sa.DateTime(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["workstations.device_id"],
            name=op.f("fk_outbox_reports_device_id_workstations"),
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_outbox_reports")),
    )
    _append_only("day_closures")


def _append_only(table: str) -> None:
    # tongban_refuse_change() was created by c0001 on PostgreSQL.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    op.drop_table("outbox_reports")
    op.drop_table("day_closures")
