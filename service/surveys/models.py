"""Surveys: the definition (survey, questions), who took part, what was answered, and the computed results.

Anonymity is a property of the tables, not of the queries: `survey_participations` (who took part) and
`survey_responses` / `survey_answers` (what was answered) share no column but the survey, carry no precise time
and get random keys. See the README section "Surveys".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin, enum_column


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Audience(StrEnum):
    """Who may answer: residents of the survey's town, or everyone logged in."""

    RESIDENTS = "residents"
    EVERYONE = "everyone"


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FREE_TEXT = "free_text"
    SCALE = "scale"
    RANKING = "ranking"
    NUMBER = "number"
    RATING = "rating"


class Survey(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "surveys"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    strategy_area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("strategy_areas.id", ondelete="RESTRICT"))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(
        enum_column(SurveyStatus, check="known_status"), default=SurveyStatus.DRAFT.value
    )
    audience: Mapped[str] = mapped_column(
        enum_column(Audience, check="known_audience"), default=Audience.EVERYONE.value
    )
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    results_public: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        CheckConstraint("char_length(title) BETWEEN 5 AND 140", name="title_length"),
        CheckConstraint("char_length(description) <= 5000", name="description_length"),
        CheckConstraint("opens_at IS NULL OR opens_at < closes_at", name="opens_before_closing"),
        Index(None, "town_id", "status", "created_at"),
        Index("ix_surveys_due", "closes_at", postgresql_where="status = 'published'"),
    )


class Question(IdMixin, Base):
    """One question; `settings` holds what its kind needs (options, limits, labels), `show_if` a condition on
    an earlier question's answer. Both are validated by `service.surveys.definition` before they are stored."""

    __tablename__ = "survey_questions"

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(enum_column(QuestionKind, check="known_kind"))
    prompt: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(String(1000), default="")
    required: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    show_if: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        UniqueConstraint("survey_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        Index(None, "town_id"),
    )


class Participation(Base):
    """That a person took part in a survey, and nothing else: no time, no link to what was answered.

    The primary key is the rule "one response per person"; it is written in the same transaction as the response.
    """

    __tablename__ = "survey_participations"

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))

    __table_args__ = (Index(None, "user_id"), Index(None, "town_id"))


class Response(Base):
    """What one person answered. `id` is a random uuid4 (never time-ordered) and only the day is kept.

    `respondent_id` is set only for surveys that are not anonymous (a check constraint can not see the survey,
    so the service decides; the unique constraint then also holds for those responses).
    """

    __tablename__ = "survey_responses"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    respondent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_on: Mapped[date]

    __table_args__ = (
        UniqueConstraint("survey_id", "respondent_id"),
        Index(None, "survey_id", "id"),
        Index(None, "town_id"),
        Index(None, "respondent_id"),
    )


class Answer(Base):
    """One answered question of a response; which columns are set depends on the question's kind.

    `option_indexes` holds the chosen options (choice questions) or the options in ranked order (ranking)."""

    __tablename__ = "survey_answers"

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True
    )
    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    option_indexes: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    other_text: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    number: Mapped[float | None]

    __table_args__ = (Index(None, "survey_id"), Index(None, "question_id"))


class Results(Base):
    """Results computed by the `surveys.compute_results` job from the responses; `response_count` says from how many."""

    __tablename__ = "survey_results"

    survey_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    response_count: Mapped[int]
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (Index(None, "town_id"),)
