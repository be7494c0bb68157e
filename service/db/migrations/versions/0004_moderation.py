"""moderation: town policies, decisions, town word lists; moderation columns on ideas and comments; pg_trgm

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 22:35:04.116352
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # similarity() for the near-duplicate check.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "town_moderation_settings",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("report_threshold", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "policy IN ('off', 'first_post', 'always', 'risk_based')",
            name=op.f("ck_town_moderation_settings_known_policy"),
        ),
        sa.CheckConstraint(
            "report_threshold BETWEEN 1 AND 100", name=op.f("ck_town_moderation_settings_report_threshold_range")
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_town_moderation_settings_town_id_towns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_town_moderation_settings_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("town_id", name=op.f("pk_town_moderation_settings")),
    )
    op.create_table(
        "moderation_decisions",
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reasons", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('publish', 'hold', 'reject', 'hide', 'restore')",
            name=op.f("ck_moderation_decisions_known_outcome"),
        ),
        sa.CheckConstraint(
            "subject_type IN ('idea', 'comment')", name=op.f("ck_moderation_decisions_known_subject_type")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_decisions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_moderation_decisions_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
        # One automated decision per version of a text (human decisions have no digest and never collide).
        sa.UniqueConstraint(
            "subject_type",
            "subject_id",
            "content_digest",
            name=op.f("uq_moderation_decisions_subject_type_subject_id_content_digest"),
        ),
    )
    op.create_index(
        op.f("ix_moderation_decisions_town_id_created_at"),
        "moderation_decisions",
        ["town_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "moderation_terms",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_moderation_terms_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_moderation_terms_town_id_towns"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_terms")),
        sa.UniqueConstraint("town_id", "term", name=op.f("uq_moderation_terms_town_id_term")),
    )
    for table in ("ideas", "comments"):
        op.add_column(table, sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(table, sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
        op.add_column(
            table,
            sa.Column(
                "moderation_reasons", postgresql.ARRAY(sa.String(length=40)), server_default="{}", nullable=False
            ),
        )
        # The sweep looks for pending contributions by age.
        op.create_index(
            f"ix_{table}_pending", table, ["created_at"], unique=False, postgresql_where="lifecycle = 'pending'"
        )


def downgrade() -> None:
    for table in ("comments", "ideas"):
        op.drop_index(f"ix_{table}_pending", table_name=table, postgresql_where="lifecycle = 'pending'")
        op.drop_column(table, "moderation_reasons")
        op.drop_column(table, "held_at")
        op.drop_column(table, "checked_at")
    op.drop_table("moderation_terms")
    op.drop_index(op.f("ix_moderation_decisions_town_id_created_at"), table_name="moderation_decisions")
    op.drop_table("moderation_decisions")
    op.drop_table("town_moderation_settings")
    # pg_trgm stays: other objects may have come to depend on it, and keeping it is harmless.
