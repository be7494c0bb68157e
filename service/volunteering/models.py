from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Computed, ForeignKey, Index, String, Text, false, func
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin, enum_column

DEFAULT_CONFIRMATION_HOURS = 24


class OfferStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class OrganisationStatus(StrEnum):
    """Derived from `verified_at`: only verified organisations publish offers."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"


class SignUpStatus(StrEnum):
    """confirmed/offered hold a place; waitlisted waits for one (until the shift begins: then not_needed); the rest
    are final (attended/absent correctable)."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ATTENDED = "attended"
    ABSENT = "absent"
    # Still waiting when the shift began: no place came free, nothing is expected of the person.
    NOT_NEEDED = "not_needed"


# A sign-up in one of these keeps the person on the shift: no second one, and it counts for overlaps.
ACTIVE_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED, SignUpStatus.OFFERED, SignUpStatus.ATTENDED)
# A sign-up in one of these holds one of the shift's places.
PLACE_HOLDING_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.OFFERED)


def _in(column: str, values: tuple[StrEnum, ...] | type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in values)})"


class Organisation(IdMixin, CreatedAtMixin, Base):
    """A Verein or initiative registered in one town; it publishes offers once the town's staff verified it."""

    __tablename__ = "organisations"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text, default="")
    registered_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 3 AND 140", name="name_length"),
        CheckConstraint("char_length(description) <= 5000", name="description_length"),
        Index(None, "town_id", "verified_at"),
    )


class Offer(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "volunteer_offers"

    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    strategy_area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("strategy_areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(140))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    minimum_age: Mapped[int | None]
    contact: Mapped[str] = mapped_column(String(300), default="")
    # How long a person offered a freed place has to accept it.
    confirmation_hours: Mapped[int] = mapped_column(default=DEFAULT_CONFIRMATION_HOURS)
    status: Mapped[str] = mapped_column(enum_column(OfferStatus, check="known_status"), default=OfferStatus.DRAFT.value)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('german', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('german', coalesce(description, '')), 'B')",
            persisted=True,
        ),
        deferred=True,
    )

    __table_args__ = (
        CheckConstraint("char_length(title) BETWEEN 5 AND 140", name="title_length"),
        CheckConstraint("char_length(description) <= 5000", name="description_length"),
        CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="whole_geo_point"),
        CheckConstraint("minimum_age IS NULL OR minimum_age BETWEEN 0 AND 99", name="minimum_age_range"),
        CheckConstraint("confirmation_hours BETWEEN 1 AND 168", name="confirmation_hours_range"),
        Index(None, "town_id", "status", "published_at"),
        Index(None, "status", "published_at"),
        Index(None, "organisation_id"),
        Index(None, "search_vector", postgresql_using="gin"),
        Index(None, "skills", postgresql_using="gin"),
    )


class Shift(IdMixin, CreatedAtMixin, Base):
    """A time slot of an offer with a number of places.

    `places_taken` counts the sign-ups holding a place (confirmed or offered). It only changes while the shift
    row is locked (`SELECT … FOR UPDATE`), and the check constraint makes an overbooked shift impossible.
    `last_position` hands out the arrival order of sign-ups under the same lock.
    """

    __tablename__ = "volunteer_shifts"

    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteer_offers.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    places_taken: Mapped[int] = mapped_column(default=0)
    last_position: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity BETWEEN 1 AND 10000", name="capacity_range"),
        CheckConstraint("places_taken BETWEEN 0 AND capacity", name="not_overbooked"),
        Index(None, "offer_id", "starts_at"),
        Index(None, "town_id", "starts_at"),
        Index(None, "starts_at"),
    )


class SignUp(IdMixin, CreatedAtMixin, Base):
    """One person on one shift. `position` is the arrival order on the shift, assigned under the shift lock."""

    __tablename__ = "volunteer_sign_ups"

    shift_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("volunteer_shifts.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(enum_column(SignUpStatus, check="known_status"))
    position: Mapped[int]
    # clock_timestamp() under the shift lock: the order in which sign-ups were accepted and committed.
    queued_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())
    offer_expires_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    # The person agreed at sign-up that the organisation's managers see their e-mail address to reach them.
    share_contact: Mapped[bool] = mapped_column(default=False, server_default=false())
    attended_minutes: Mapped[int | None]
    attendance_confirmed_at: Mapped[datetime | None]
    attendance_confirmed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint("status <> 'offered' OR offer_expires_at IS NOT NULL", name="offer_has_deadline"),
        CheckConstraint("attended_minutes IS NULL OR attended_minutes BETWEEN 0 AND 1440", name="minutes_range"),
        Index(
            "uq_volunteer_sign_ups_active",
            "shift_id",
            "user_id",
            unique=True,
            postgresql_where=_in("status", ACTIVE_STATUSES),
        ),
        Index(None, "shift_id", "status", "position"),
        Index(None, "user_id", "status"),
        Index(None, "town_id", "created_at"),
        Index("ix_volunteer_sign_ups_offered", "offer_expires_at", postgresql_where="status = 'offered'"),
    )
