from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ideas.types import GeoPointType, NearInput
from schema.ids import uuids
from schema.towns.types import StrategyAreaType, TownType
from schema.users.types import UserType
from service.kit.errors import PermissionDenied
from service.volunteering.managers import may_see_managers
from service.volunteering.models import (
    Offer,
    OfferStatus,
    Organisation,
    OrganisationStatus,
    Shift,
    SignUp,
    SignUpStatus,
)
from service.volunteering.repository import YearTotal

strawberry.enum(OfferStatus, name="OfferStatus", description="draft → published → closed.")
strawberry.enum(
    OrganisationStatus, name="OrganisationStatus", description="Verified by the town's staff, or waiting for it."
)
strawberry.enum(
    SignUpStatus,
    name="SignUpStatus",
    description=(
        "CONFIRMED and OFFERED hold a place (OFFERED until `offerExpiresAt`); WAITLISTED waits in arrival order; "
        "ATTENDED and ABSENT are recorded by the organisation after the shift; NOT_NEEDED: still waitlisted when "
        "the shift began (no place came free); EXPIRED: an offered place was not confirmed in time."
    ),
)

MINUTES_PER_HOUR = 60


def hours_of(minutes: int) -> float:
    """Minutes as hours for display, rounded to two decimals (1 minute: 0.02, 90 minutes: 1.5)."""
    return round(minutes / MINUTES_PER_HOUR, 2)


async def _town(info: Info, town_id: uuid.UUID) -> TownType:
    row = await info.context.loaders.town_by_id.load(town_id)
    assert row is not None  # noqa: S101 - a foreign key
    return TownType.from_row(row)


@strawberry.type(name="Organisation", description="A Verein or initiative offering volunteer work in a town.")
class OrganisationType(relay.Node):
    id: relay.NodeID[str]
    name: str
    description: str
    is_verified: bool = strawberry.field(description="Verified by the town's staff; only these publish offers.")
    verified_at: datetime | None
    created_at: datetime
    row_id: strawberry.Private[uuid.UUID]
    town_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Organisation) -> Self:
        return cls(
            id=str(row.id),
            name=row.name,
            description=row.description,
            is_verified=row.verified_at is not None,
            verified_at=row.verified_at,
            created_at=row.created_at,
            row_id=row.id,
            town_id=row.town_id,
        )

    @strawberry.field
    async def town(self, info: Info) -> TownType:
        return await _town(info, self.town_id)

    @strawberry.field(
        description="Its offers the caller may see (drafts only for its managers and its town's staff), newest first."
    )
    async def offers(self, info: Info) -> list[OfferType]:
        rows = await info.context.loaders.offers_by_organisation_id.load(self.row_id)
        return [OfferType.from_row(row) for row in rows]

    @strawberry.field(description="The people who manage it, first added first: for them and the town's staff only.")
    async def managers(self, info: Info) -> list[UserType] | None:
        viewer = info.context.viewer
        viewer.require_person()
        if not may_see_managers(viewer, organisation_id=self.row_id, town_id=self.town_id):
            raise PermissionDenied("Wer die Organisation verwaltet, sehen ihre Verantwortlichen und die Stadt.")
        rows = await info.context.loaders.managers_by_organisation_id.load(self.row_id)
        return [UserType.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.organisation_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="VolunteerOffer", description="Volunteer work an organisation offers, with its shifts.")
class OfferType(relay.Node):
    id: relay.NodeID[str]
    title: str
    description: str
    address: str
    location: GeoPointType | None
    skills: list[str]
    accessibility_notes: str
    minimum_age: int | None = strawberry.field(
        description="Information only: the service knows no birth dates and does not check it."
    )
    contact: str
    confirmation_hours: int = strawberry.field(description="How long a person offered a freed place has to accept.")
    status: OfferStatus
    published_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    row_id: strawberry.Private[uuid.UUID]
    town_id: strawberry.Private[uuid.UUID]
    organisation_id: strawberry.Private[uuid.UUID]
    strategy_area_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Offer) -> Self:
        location = None
        if row.latitude is not None and row.longitude is not None:
            location = GeoPointType(latitude=row.latitude, longitude=row.longitude)
        return cls(
            id=str(row.id),
            title=row.title,
            description=row.description,
            address=row.address,
            location=location,
            skills=list(row.skills),
            accessibility_notes=row.accessibility_notes,
            minimum_age=row.minimum_age,
            contact=row.contact,
            confirmation_hours=row.confirmation_hours,
            status=OfferStatus(row.status),
            published_at=row.published_at,
            closed_at=row.closed_at,
            created_at=row.created_at,
            row_id=row.id,
            town_id=row.town_id,
            organisation_id=row.organisation_id,
            strategy_area_id=row.strategy_area_id,
        )

    @strawberry.field
    async def town(self, info: Info) -> TownType:
        return await _town(info, self.town_id)

    @strawberry.field
    async def organisation(self, info: Info) -> OrganisationType | None:
        row = await info.context.loaders.organisation_by_id.load(self.organisation_id)
        return OrganisationType.from_row(row) if row else None

    @strawberry.field
    async def strategy_area(self, info: Info) -> StrategyAreaType:
        row = await info.context.loaders.strategy_area_by_id.load(self.strategy_area_id)
        assert row is not None  # noqa: S101 - a foreign key
        return StrategyAreaType.from_row(row)

    @strawberry.field(description="Shifts in time order (at most 200), cancelled ones included.")
    async def shifts(self, info: Info) -> list[ShiftType]:
        rows = await info.context.loaders.shifts_by_offer_id.load(self.row_id)
        return [ShiftType.from_row(row) for row in rows]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.offer_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="Shift", description="A time slot of an offer with a number of places.")
class ShiftType(relay.Node):
    id: relay.NodeID[str]
    starts_at: datetime
    ends_at: datetime
    capacity: int
    places_taken: int = strawberry.field(description="Confirmed places and places offered to the waitlist.")
    free_places: int
    is_cancelled: bool
    row_id: strawberry.Private[uuid.UUID]
    offer_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Shift) -> Self:
        return cls(
            id=str(row.id),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            capacity=row.capacity,
            places_taken=row.places_taken,
            free_places=0 if row.cancelled_at else row.capacity - row.places_taken,
            is_cancelled=row.cancelled_at is not None,
            row_id=row.id,
            offer_id=row.offer_id,
        )

    @strawberry.field
    async def offer(self, info: Info) -> OfferType | None:
        row = await info.context.loaders.offer_by_id.load(self.offer_id)
        return OfferType.from_row(row) if row else None

    @strawberry.field(description="The logged-in person's current sign-up on this shift, if any.")
    async def viewer_sign_up(self, info: Info) -> SignUpType | None:
        loader = info.context.loaders.viewer_sign_up_by_shift_id
        row = await loader.load(self.row_id) if loader else None
        return SignUpType.from_row(row) if row else None

    @strawberry.field(description="Everyone signed up, in arrival order: for the organisation's managers only.")
    async def roster(self, info: Info) -> list[RosterEntryType] | None:
        info.context.viewer.require_person()
        rows = await info.context.loaders.roster_by_shift_id.load(self.row_id)
        if rows is None:
            raise PermissionDenied("Die Liste sehen nur die Verantwortlichen der Organisation.")
        return [
            RosterEntryType(sign_up=SignUpType.from_row(row), user_id=row.user_id, shares_contact=row.share_contact)
            for row in rows
        ]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.shift_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="SignUp", description="One person on one shift; seen by that person and the managers.")
class SignUpType(relay.Node):
    id: relay.NodeID[str]
    status: SignUpStatus
    offer_expires_at: datetime | None = strawberry.field(
        description="While OFFERED: confirm the place before this, or it passes on."
    )
    signed_up_at: datetime
    shares_contact: bool = strawberry.field(
        description="The person agreed that the organisation's managers see their e-mail address."
    )
    minutes: int | None = strawberry.field(description="Confirmed minutes, once the organisation recorded them.")
    hours: float | None = strawberry.field(
        description="The confirmed minutes in hours, rounded to two decimals (for display; add up `minutes`)."
    )
    row_id: strawberry.Private[uuid.UUID]
    shift_id: strawberry.Private[uuid.UUID]
    known_waitlist_position: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: SignUp, *, waitlist_position: int | None = None) -> Self:
        minutes = row.attended_minutes
        return cls(
            id=str(row.id),
            status=SignUpStatus(row.status),
            offer_expires_at=row.offer_expires_at,
            signed_up_at=row.queued_at,
            shares_contact=row.share_contact,
            minutes=minutes,
            hours=hours_of(minutes) if minutes is not None else None,
            row_id=row.id,
            shift_id=row.shift_id,
            known_waitlist_position=waitlist_position,
        )

    @strawberry.field(description="While WAITLISTED: 1 for the first person waiting, 2 for the next, …")
    async def waitlist_position(self, info: Info) -> int | None:
        if self.status is not SignUpStatus.WAITLISTED:
            return None
        if self.known_waitlist_position is not None:
            return self.known_waitlist_position
        return await info.context.loaders.waitlist_position_by_sign_up_id.load(self.row_id)

    @strawberry.field
    async def shift(self, info: Info) -> ShiftType | None:
        row = await info.context.loaders.shift_by_id.load(self.shift_id)
        return ShiftType.from_row(row) if row else None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        loader = info.context.loaders.own_sign_up_by_id
        if loader is None:
            return [None for _ in node_ids]
        rows = await loader.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(
    name="RosterEntry",
    description="A sign-up with the person's display name (and e-mail address if they agreed), for managers.",
)
class RosterEntryType:
    sign_up: SignUpType
    user_id: strawberry.Private[uuid.UUID]
    shares_contact: strawberry.Private[bool]

    @strawberry.field
    async def person(self, info: Info) -> UserType | None:
        row = await info.context.loaders.user_by_id.load(self.user_id)
        return UserType.from_row(row) if row else None

    @strawberry.field(
        description="The person's e-mail address, only when they agreed to share it for this sign-up; else null."
    )
    async def contact_email(self, info: Info) -> str | None:
        if not self.shares_contact:
            return None
        row = await info.context.loaders.user_by_id.load(self.user_id)
        return row.email if row and row.deleted_at is None else None


@strawberry.type(name="YearlyHours", description="Confirmed volunteer hours in one calendar year.")
class YearlyHoursType:
    year: int
    minutes: int = strawberry.field(description="The exact sum of the year's confirmed minutes.")
    hours: float = strawberry.field(description="`minutes` in hours, rounded to two decimals.")
    shifts: int

    @classmethod
    def from_total(cls, total: YearTotal) -> Self:
        return cls(year=total.year, minutes=total.minutes, hours=hours_of(total.minutes), shifts=total.shifts)


@strawberry.type(name="MyEngagements", description="The logged-in person's sign-ups and hours.")
class MyEngagementsType:
    sign_ups: list[SignUpType] = strawberry.field(description="Latest shift first (at most 500).")
    yearly_totals: list[YearlyHoursType] = strawberry.field(description="Latest year first.")


@strawberry.type(name="VolunteerOfferEdge")
class OfferEdge(relay.Edge[OfferType]):
    pass


@strawberry.type(name="VolunteerOfferConnection")
class OfferConnection(relay.Connection[OfferType]):
    edges: list[OfferEdge]  # type: ignore[assignment]


@strawberry.type(name="OrganisationEdge")
class OrganisationEdge(relay.Edge[OrganisationType]):
    pass


@strawberry.type(name="OrganisationConnection")
class OrganisationConnection(relay.Connection[OrganisationType]):
    edges: list[OrganisationEdge]  # type: ignore[assignment]


@strawberry.input
class OfferFilterInput:
    text: str | None = strawberry.field(default=None, description="German full-text search in title and description.")
    skills: list[str] | None = strawberry.field(default=None, description="Offers wanting any of these skills.")
    strategy_area_id: strawberry.ID | None = None
    starts_after: datetime | None = strawberry.field(
        default=None, description="Offers with a shift starting at or after this time."
    )
    starts_before: datetime | None = strawberry.field(default=None, description="… and before this time.")
    near: NearInput | None = None
