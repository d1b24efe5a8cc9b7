"""numeric and date questions: a range on the question, a 201-point CDF per forecast

Revision ID: 0004_numeric
Revises: 0003_scale
Create Date: 2026-12-02 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_numeric"
down_revision: str | None = "0003_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTINUOUS = "type IN ('numeric', 'date')"
_RANGE = (
    f"({_CONTINUOUS} AND range_lower IS NOT NULL AND range_upper IS NOT NULL "
    "AND range_lower < range_upper) OR "
    f"(NOT {_CONTINUOUS} AND range_lower IS NULL AND range_upper IS NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("range_lower", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("range_upper", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("open_lower", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("open_upper", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "scale",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="linear",
            )
        )
        batch_op.add_column(
            sa.Column(
                "unit",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint("ck_question_type", type_="check")
        batch_op.create_check_constraint(
            "ck_question_type",
            "type IN ('binary', 'multiple_choice', 'ordered', 'numeric', 'date')",
        )
        batch_op.create_check_constraint("ck_question_scale", "scale IN ('linear', 'log')")
        batch_op.create_check_constraint("ck_question_range", _RANGE)
    op.create_table(
        "forecast_cdf",
        sa.Column("forecast_id", sa.Integer(), nullable=False),
        sa.Column("cdf", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["forecast_id"], ["forecast.id"]),
        sa.PrimaryKeyConstraint("forecast_id"),
    )


def downgrade() -> None:
    kept = op.get_bind().execute(sa.text(f"SELECT count(*) FROM question WHERE {_CONTINUOUS}"))
    if kept.scalar():
        raise RuntimeError("numeric or date questions exist; export them before downgrading")
    op.drop_table("forecast_cdf")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_constraint("ck_question_range", type_="check")
        batch_op.drop_constraint("ck_question_scale", type_="check")
        batch_op.drop_constraint("ck_question_type", type_="check")
        batch_op.create_check_constraint(
            "ck_question_type", "type IN ('binary', 'multiple_choice', 'ordered')"
        )
        for column in ("unit", "scale", "open_upper", "open_lower", "range_upper", "range_lower"):
            batch_op.drop_column(column)
