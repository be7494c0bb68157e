from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin, enum_column, written_by


class Lifecycle(StrEnum):
    """Where a contribution stands in moderation: pending → published | rejected, published → hidden."""

    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class OfficialStatus(StrEnum):
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    IMPLEMENTED = "implemented"
    DECLINED = "declined"


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"


class Idea(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "ideas"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    strategy_area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("strategy_areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(140))
    body: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    image_alt_texts: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    lifecycle: Mapped[str] = mapped_column(
        enum_column(Lifecycle, check="known_lifecycle"), default=Lifecycle.PENDING.value
    )
    official_status: Mapped[str | None] = mapped_column(enum_column(OfficialStatus, check="known_status"))
    official_answer: Mapped[str | None] = mapped_column(Text, info=written_by("staff"))
    answered_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Kept by atomic SQL in the same transaction as the rows they count.
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    # Moderation: when the automated check last decided, when the idea was held for a human, and why.
    checked_at: Mapped[datetime | None]
    held_at: Mapped[datetime | None]
    moderation_reasons: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default="{}", info=written_by("system")
    )
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('german', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('german', coalesce(body, '')), 'B')",
            persisted=True,
        ),
        deferred=True,
    )

    __table_args__ = (
        CheckConstraint("char_length(title) BETWEEN 5 AND 140", name="title_length"),
        CheckConstraint("char_length(body) <= 5000", name="body_length"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="whole_geo_point"),
        CheckConstraint("support_count >= 0 AND comment_count >= 0", name="counts_not_negative"),
        Index(None, "town_id", "lifecycle", "published_at"),
        Index(None, "town_id", "lifecycle", "support_count"),
        Index(None, "town_id", "answered_at"),
        Index(None, "author_id"),
        Index(None, "search_vector", postgresql_using="gin"),
        Index("ix_ideas_pending", "created_at", postgresql_where="lifecycle = 'pending'"),
        # Compound-word search (`service/ideas/feed.py`): trigrams of the folded title and body.
        Index(
            "ix_ideas_folded_text_trgm",
            # alembic does not compare expressions with an operator class (it warns); the name is compared.
            text("replace(translate(lower(title || ' ' || body), 'äöü', 'aou'), 'ß', 'ss') gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )


class Support(Base):
    """One per person per idea: the primary key is the rule."""

    __tablename__ = "idea_supports"

    idea_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (Index(None, "user_id"), Index(None, "town_id", "created_at"))


class Comment(IdMixin, CreatedAtMixin, Base):
    """Flat with one reply level: a reply's parent is always a top-level comment."""

    __tablename__ = "comments"

    idea_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    lifecycle: Mapped[str] = mapped_column(
        enum_column(Lifecycle, check="known_lifecycle"), default=Lifecycle.PENDING.value
    )
    published_at: Mapped[datetime | None]
    checked_at: Mapped[datetime | None]
    held_at: Mapped[datetime | None]
    moderation_reasons: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default="{}", info=written_by("system")
    )

    __table_args__ = (
        CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name="body_length"),
        Index(None, "idea_id", "created_at"),
        Index(None, "town_id", "lifecycle"),
        Index(None, "author_id"),
        Index("ix_comments_pending", "created_at", postgresql_where="lifecycle = 'pending'"),
    )


class Report(IdMixin, CreatedAtMixin, Base):
    """A person's report of an idea or a comment; one per person per item."""

    __tablename__ = "reports"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(enum_column(ReportReason, check="known_reason"))
    text: Mapped[str] = mapped_column(String(1000), default="")
    resolved_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("reporter_id", "idea_id", "comment_id", postgresql_nulls_not_distinct=True),
        CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="one_subject"),
        Index(None, "town_id", "resolved_at"),
        Index(None, "idea_id"),
        Index(None, "comment_id"),
    )


class OfficialAnswer(IdMixin, CreatedAtMixin, Base):
    """History of the town's official status and answer for an idea."""

    __tablename__ = "idea_official_answers"

    idea_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(enum_column(OfficialStatus, check="known_status"))
    answer: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        Index(None, "idea_id", "created_at"),
        Index(None, "town_id"),
    )
