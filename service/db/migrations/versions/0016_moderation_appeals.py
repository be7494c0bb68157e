"""appeals against moderation decisions; decisions that dismiss reports or uphold; the idea a duplicate resembles

Revision ID: 0016
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_OUTCOMES = "outcome IN ('publish', 'hold', 'reject', 'hide', 'restore')"
NEW_OUTCOMES = "outcome IN ('publish', 'hold', 'reject', 'hide', 'restore', 'dismiss_reports', 'uphold')"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_moderation_decisions_known_outcome"), "moderation_decisions", type_="check")
    op.create_check_constraint(op.f("ck_moderation_decisions_known_outcome"), "moderation_decisions", NEW_OUTCOMES)
    op.add_column("moderation_decisions", sa.Column("similar_idea_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_moderation_decisions_similar_idea_id_ideas"),
        "moderation_decisions",
        "ideas",
        ["similar_idea_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_table(
        "moderation_appeals",
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "resolution IS NULL OR resolution IN ('reversed', 'upheld')",
            name=op.f("ck_moderation_appeals_known_resolution"),
        ),
        sa.CheckConstraint(
            "(resolved_at IS NULL) = (resolution IS NULL)", name=op.f("ck_moderation_appeals_resolved_with_resolution")
        ),
        sa.CheckConstraint(
            "subject_type IN ('idea', 'comment')", name=op.f("ck_moderation_appeals_known_subject_type")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_moderation_appeals_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_decisions.id"],
            name=op.f("fk_moderation_appeals_decision_id_moderation_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_appeals_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_moderation_appeals_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_moderation_appeals_decision_id")),
    )
    op.create_index(op.f("ix_moderation_appeals_author_id"), "moderation_appeals", ["author_id"], unique=False)
    op.create_index(
        op.f("ix_moderation_appeals_subject_type_subject_id"),
        "moderation_appeals",
        ["subject_type", "subject_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_moderation_appeals_town_id_resolved_at"),
        "moderation_appeals",
        ["town_id", "resolved_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("moderation_appeals")
    op.drop_constraint(
        op.f("fk_moderation_decisions_similar_idea_id_ideas"), "moderation_decisions", type_="foreignkey"
    )
    op.drop_column("moderation_decisions", "similar_idea_id")
    # Older versions recorded dismissing reports as publishing; an upheld rejection or hiding stays one.
    op.execute("UPDATE moderation_decisions SET outcome = 'publish' WHERE outcome = 'dismiss_reports'")
    op.execute("UPDATE moderation_decisions SET outcome = 'reject' WHERE outcome = 'uphold'")
    op.drop_constraint(op.f("ck_moderation_decisions_known_outcome"), "moderation_decisions", type_="check")
    op.create_check_constraint(op.f("ck_moderation_decisions_known_outcome"), "moderation_decisions", OLD_OUTCOMES)
