"""Batch reads for dataloaders and the people's own views: one statement per batch."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import extract, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.lookup import by_key, grouped, key_in_keys, keys
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid
from service.volunteering.models import (
    ACTIVE_STATUSES,
    Offer,
    Organisation,
    OrganisationStatus,
    Shift,
    SignUp,
    SignUpStatus,
)
from service.volunteering.policies import acted_for_by, offer_visible_to, organisation_visible_to

SHIFTS_PER_OFFER = 200
ENGAGEMENTS_LIMIT = 500
_SIGN_UPS_BY_SHIFT_IDS = select(SignUp).where(key_in_keys(SignUp.shift_id)).order_by(SignUp.position)
_id = attrgetter("id")


async def organisations_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, Organisation]:
    rows = await session.scalars(
        select(Organisation).where(key_in_keys(Organisation.id), organisation_visible_to(viewer)), keys(ids)
    )
    return by_key(rows, _id)


@dataclass(frozen=True)
class OrganisationPage:
    items: Sequence[Organisation]
    has_next_page: bool

    @staticmethod
    def cursor(organisation: Organisation) -> str:
        return encode_cursor("organisation", organisation.created_at.isoformat(), str(organisation.id))


async def list_organisations(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    status: OrganisationStatus | None,
    first: int,
    after: str | None,
) -> OrganisationPage:
    """A town's organisations the viewer may see (unverified ones only for the town's staff and admins, and for
    their own managers), newest first, keyset-paginated."""
    check_page_size(first)
    statement = select(Organisation).where(Organisation.town_id == town_id, organisation_visible_to(viewer))
    if status is OrganisationStatus.VERIFIED:
        statement = statement.where(Organisation.verified_at.is_not(None))
    elif status is OrganisationStatus.UNVERIFIED:
        statement = statement.where(Organisation.verified_at.is_(None))
    if after is not None:
        created_at, organisation_id = decode_cursor("organisation", after, 2)
        position = tuple_(parse_time(created_at), parse_uuid(organisation_id))
        statement = statement.where(tuple_(Organisation.created_at, Organisation.id) < position)
    rows = (
        await session.scalars(
            statement.order_by(Organisation.created_at.desc(), Organisation.id.desc()).limit(first + 1)
        )
    ).all()
    return OrganisationPage(items=rows[:first], has_next_page=len(rows) > first)


async def offers_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer) -> dict[uuid.UUID, Offer]:
    rows = await session.scalars(select(Offer).where(key_in_keys(Offer.id), offer_visible_to(viewer)), keys(ids))
    return by_key(rows, _id)


async def shifts_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer) -> dict[uuid.UUID, Shift]:
    rows = await session.scalars(
        select(Shift).join(Offer, Offer.id == Shift.offer_id).where(key_in_keys(Shift.id), offer_visible_to(viewer)),
        keys(ids),
    )
    return by_key(rows, _id)


async def shifts_by_offer_ids(session: AsyncSession, offer_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Shift]]:
    """Shifts per offer in time order, at most SHIFTS_PER_OFFER each (the offers are already visible)."""
    position = func.row_number().over(partition_by=Shift.offer_id, order_by=(Shift.starts_at, Shift.id))
    ranked = select(Shift.id, position.label("position")).where(key_in_keys(Shift.offer_id)).subquery()
    rows = await session.scalars(
        select(Shift)
        .join(ranked, ranked.c.id == Shift.id)
        .where(ranked.c.position <= SHIFTS_PER_OFFER)
        .order_by(Shift.starts_at, Shift.id),
        keys(offer_ids),
    )
    return grouped(offer_ids, rows, attrgetter("offer_id"))


async def offers_by_organisation_ids(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, list[Offer]]:
    rows = await session.scalars(
        select(Offer)
        .where(key_in_keys(Offer.organisation_id), offer_visible_to(viewer))
        .order_by(Offer.created_at.desc(), Offer.id),
        keys(organisation_ids),
    )
    return grouped(organisation_ids, rows, attrgetter("organisation_id"))


async def viewer_sign_ups_by_shift_ids(
    session: AsyncSession, shift_ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, SignUp]:
    """The person's current (active) sign-up on each shift."""
    rows = await session.scalars(
        select(SignUp).where(
            SignUp.user_id == user_id,
            key_in_keys(SignUp.shift_id),
            SignUp.status.in_([status.value for status in ACTIVE_STATUSES]),
        ),
        keys(shift_ids),
    )
    return by_key(rows, attrgetter("shift_id"))


async def own_sign_ups_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, SignUp]:
    rows = await session.scalars(select(SignUp).where(key_in_keys(SignUp.id), SignUp.user_id == user_id), keys(ids))
    return by_key(rows, _id)


async def waitlist_positions(session: AsyncSession, sign_up_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """1 for the first person waiting on their shift, 2 for the next, …; only waitlisted sign-ups have one."""
    waiting = SignUp.__table__.alias("waiting")
    rows = await session.execute(
        select(SignUp.id, func.count(waiting.c.id))
        .join(
            waiting,
            (waiting.c.shift_id == SignUp.shift_id)
            & (waiting.c.status == SignUpStatus.WAITLISTED.value)
            & (waiting.c.position <= SignUp.position),
        )
        .where(key_in_keys(SignUp.id), SignUp.status == SignUpStatus.WAITLISTED.value)
        .group_by(SignUp.id),
        keys(sign_up_ids),
    )
    return {sign_up_id: int(count) for sign_up_id, count in rows.all()}


async def rosters_by_shift_ids(
    session: AsyncSession, shift_ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, list[SignUp]]:
    """Every sign-up per shift in arrival order, only for shifts of offers the viewer acts for (others are absent):
    its organisation's managers, or the town's staff when the organisation has no manager."""
    if not viewer.is_authenticated:
        return {}
    allowed = await session.scalars(
        select(Shift.id).join(Offer, Offer.id == Shift.offer_id).where(key_in_keys(Shift.id), acted_for_by(viewer)),
        keys(shift_ids),
    )
    shown = list(allowed)
    if not shown:
        return {}
    return grouped(shown, await session.scalars(_SIGN_UPS_BY_SHIFT_IDS, keys(shown)), attrgetter("shift_id"))


@dataclass(frozen=True)
class YearTotal:
    year: int
    minutes: int
    shifts: int


async def engagements(session: AsyncSession, user_id: uuid.UUID) -> Sequence[SignUp]:
    """A person's sign-ups, the latest shift first."""
    return (
        await session.scalars(
            select(SignUp)
            .join(Shift, Shift.id == SignUp.shift_id)
            .where(SignUp.user_id == user_id)
            .order_by(Shift.starts_at.desc(), SignUp.id)
            .limit(ENGAGEMENTS_LIMIT)
        )
    ).all()


async def yearly_totals(session: AsyncSession, user_id: uuid.UUID) -> list[YearTotal]:
    """Confirmed hours per calendar year (Europe/Berlin) of the shift's start, the latest year first."""
    year = extract("year", func.timezone("Europe/Berlin", Shift.starts_at))
    rows = await session.execute(
        select(year, func.sum(SignUp.attended_minutes), func.count(SignUp.id))
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(SignUp.user_id == user_id, SignUp.status == SignUpStatus.ATTENDED.value)
        .group_by(year)
        .order_by(year.desc())
    )
    return [YearTotal(year=int(y), minutes=int(minutes or 0), shifts=int(count)) for y, minutes, count in rows.all()]
