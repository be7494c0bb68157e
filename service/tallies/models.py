from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint, false, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, IdMixin, enum_column


class Period(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def period_start(period: Period, day: date) -> date:
    """The first day of the period that contains `day` (weeks start on Monday)."""
    match period:
        case Period.WEEK:
            return day - timedelta(days=day.weekday())
        case Period.MONTH:
            return day.replace(day=1)
        case Period.QUARTER:
            return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
        case Period.YEAR:
            return day.replace(month=1, day=1)


class Metric(StrEnum):
    IDEAS_SUBMITTED = "ideas_submitted"
    IDEAS_PUBLISHED = "ideas_published"
    IDEAS_ACCEPTED = "ideas_accepted"
    IDEAS_IMPLEMENTED = "ideas_implemented"
    SUPPORTS = "supports"
    COMMENTS = "comments"
    SURVEY_RESPONSES = "survey_responses"
    VOLUNTEER_SIGN_UPS = "volunteer_sign_ups"
    VOLUNTEER_HOURS = "volunteer_hours"
    PARTICIPANTS = "participants"


class ParticipationTally(Base):
    """One figure of one cell: a town (NULL: the region) x strategy area (NULL: all) x period x metric.

    `value` is what is counted (ideas, supports, hours …); `people` is how many distinct people took part in the
    cell (the same for every metric of the cell), which decides suppression in open data. Rows carry no
    timestamps, so that recomputing from the same source rows leaves the table byte for byte as it was.
    """

    __tablename__ = "participation_tallies"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    strategy_area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("strategy_areas.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(enum_column(Period, check="known_period", length=8))
    period_start: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(enum_column(Metric, check="known_metric", length=24))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    people: Mapped[int]
    # Left out of open data: a small cell, or one from which a small cell could be derived.
    suppressed: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        UniqueConstraint(
            "town_id",
            "strategy_area_id",
            "period",
            "period_start",
            "metric",
            name="uq_participation_tallies_cell",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("strategy_area_id IS NULL OR town_id IS NOT NULL", name="area_within_town"),
        Index(None, "period", "period_start"),
    )


class TallyRun(IdMixin, Base):
    """One completed recompute: when, how many rows, and a digest of the whole table's content."""

    __tablename__ = "tally_runs"

    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(server_default=func.now())
    row_count: Mapped[int]
    changed_rows: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Per scope (a town's id, or `region`): the digest of the figures open data publishes after this run.
    public_digests: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")

    __table_args__ = (Index(None, "finished_at"),)
