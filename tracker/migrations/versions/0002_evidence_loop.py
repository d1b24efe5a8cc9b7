"""evidence loop: question keywords, link passage/reason/llm method, relevance judgements

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("keywords", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("question_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passage", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_constraint("ck_link_method", type_="check")
        batch_op.create_check_constraint("ck_link_method", "method IN ('auto', 'llm', 'manual')")
    op.create_table(
        "relevance_judgement",
        sa.Column("cache_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("prompt_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence_item.id"]),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"]),
        sa.PrimaryKeyConstraint("cache_key"),
    )
    with op.batch_alter_table("relevance_judgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relevance_judgement_evidence_id"), ["evidence_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_relevance_judgement_question_id"), ["question_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("relevance_judgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relevance_judgement_question_id"))
        batch_op.drop_index(batch_op.f("ix_relevance_judgement_evidence_id"))
    op.drop_table("relevance_judgement")
    with op.batch_alter_table("question_evidence", schema=None) as batch_op:
        batch_op.drop_constraint("ck_link_method", type_="check")
        batch_op.create_check_constraint("ck_link_method", "method IN ('auto', 'manual')")
        batch_op.drop_column("reason")
        batch_op.drop_column("passage")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("keywords")
