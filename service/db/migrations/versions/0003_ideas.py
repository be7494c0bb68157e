"""ideas, supports, comments, reports, official answers, notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 22:25:32.707989
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ideas",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("strategy_area_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=140), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("image_alt_texts", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("official_status", sa.String(length=16), nullable=True),
        sa.Column("official_answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('german', coalesce(title, '')), 'A') || "
                "setweight(to_tsvector('german', coalesce(body, '')), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "lifecycle IN ('pending', 'published', 'rejected', 'hidden', 'withdrawn')",
            name=op.f("ck_ideas_known_lifecycle"),
        ),
        sa.CheckConstraint(
            "official_status IS NULL OR official_status IN ('under_review', 'accepted', 'implemented', 'declined')",
            name=op.f("ck_ideas_known_status"),
        ),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name=op.f("ck_ideas_whole_geo_point")),
        sa.CheckConstraint("char_length(body) <= 5000", name=op.f("ck_ideas_body_length")),
        sa.CheckConstraint("char_length(title) BETWEEN 5 AND 140", name=op.f("ck_ideas_title_length")),
        sa.CheckConstraint("support_count >= 0 AND comment_count >= 0", name=op.f("ck_ideas_counts_not_negative")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_ideas_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["strategy_area_id"],
            ["strategy_areas.id"],
            name=op.f("fk_ideas_strategy_area_id_strategy_areas"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name=op.f("fk_ideas_town_id_towns"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ideas")),
    )
    op.create_index(op.f("ix_ideas_author_id"), "ideas", ["author_id"], unique=False)
    op.create_index(op.f("ix_ideas_search_vector"), "ideas", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(op.f("ix_ideas_town_id_answered_at"), "ideas", ["town_id", "answered_at"], unique=False)
    op.create_index(
        op.f("ix_ideas_town_id_lifecycle_published_at"), "ideas", ["town_id", "lifecycle", "published_at"], unique=False
    )
    op.create_index(
        op.f("ix_ideas_town_id_lifecycle_support_count"),
        "ideas",
        ["town_id", "lifecycle", "support_count"],
        unique=False,
    )
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_unsent", "notifications", ["created_at"], unique=False, postgresql_where="sent_at IS NULL"
    )
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"], unique=False)
    op.create_table(
        "comments",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "lifecycle IN ('pending', 'published', 'rejected', 'hidden', 'withdrawn')",
            name=op.f("ck_comments_known_lifecycle"),
        ),
        sa.CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name=op.f("ck_comments_body_length")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_comments_idea_id_ideas"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name=op.f("fk_comments_town_id_towns"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index(op.f("ix_comments_author_id"), "comments", ["author_id"], unique=False)
    op.create_index(op.f("ix_comments_idea_id_created_at"), "comments", ["idea_id", "created_at"], unique=False)
    op.create_index(op.f("ix_comments_town_id_lifecycle"), "comments", ["town_id", "lifecycle"], unique=False)
    op.create_table(
        "idea_official_answers",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('under_review', 'accepted', 'implemented', 'declined')",
            name=op.f("ck_idea_official_answers_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_idea_official_answers_answered_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_official_answers_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_idea_official_answers_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_official_answers")),
    )
    op.create_index(
        op.f("ix_idea_official_answers_idea_id_created_at"),
        "idea_official_answers",
        ["idea_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_idea_official_answers_town_id"), "idea_official_answers", ["town_id"], unique=False)
    op.create_table(
        "idea_supports",
        sa.Column("idea_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_supports_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_idea_supports_town_id_towns"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idea_supports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("idea_id", "user_id", name=op.f("pk_idea_supports")),
    )
    op.create_index(
        op.f("ix_idea_supports_town_id_created_at"), "idea_supports", ["town_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_idea_supports_user_id"), "idea_supports", ["user_id"], unique=False)
    op.create_table(
        "reports",
        sa.Column("town_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("idea_id", sa.Uuid(), nullable=True),
        sa.Column("comment_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "reason IN ('spam', 'offensive', 'off_topic', 'personal_data')", name=op.f("ck_reports_known_reason")
        ),
        sa.CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name=op.f("ck_reports_one_subject")),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_reports_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["idea_id"], ["ideas.id"], name=op.f("fk_reports_idea_id_ideas"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name=op.f("fk_reports_town_id_towns"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "reporter_id",
            "idea_id",
            "comment_id",
            name=op.f("uq_reports_reporter_id_idea_id_comment_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(op.f("ix_reports_comment_id"), "reports", ["comment_id"], unique=False)
    op.create_index(op.f("ix_reports_idea_id"), "reports", ["idea_id"], unique=False)
    op.create_index(op.f("ix_reports_town_id_resolved_at"), "reports", ["town_id", "resolved_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reports_town_id_resolved_at"), table_name="reports")
    op.drop_index(op.f("ix_reports_idea_id"), table_name="reports")
    op.drop_index(op.f("ix_reports_comment_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_idea_supports_user_id"), table_name="idea_supports")
    op.drop_index(op.f("ix_idea_supports_town_id_created_at"), table_name="idea_supports")
    op.drop_table("idea_supports")
    op.drop_index(op.f("ix_idea_official_answers_town_id"), table_name="idea_official_answers")
    op.drop_index(op.f("ix_idea_official_answers_idea_id_created_at"), table_name="idea_official_answers")
    op.drop_table("idea_official_answers")
    op.drop_index(op.f("ix_comments_town_id_lifecycle"), table_name="comments")
    op.drop_index(op.f("ix_comments_idea_id_created_at"), table_name="comments")
    op.drop_index(op.f("ix_comments_author_id"), table_name="comments")
    op.drop_table("comments")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_index("ix_notifications_unsent", table_name="notifications", postgresql_where="sent_at IS NULL")
    op.drop_table("notifications")
    op.drop_index(op.f("ix_ideas_town_id_lifecycle_support_count"), table_name="ideas")
    op.drop_index(op.f("ix_ideas_town_id_lifecycle_published_at"), table_name="ideas")
    op.drop_index(op.f("ix_ideas_town_id_answered_at"), table_name="ideas")
    op.drop_index(op.f("ix_ideas_search_vector"), table_name="ideas", postgresql_using="gin")
    op.drop_index(op.f("ix_ideas_author_id"), table_name="ideas")
    op.drop_table("ideas")
