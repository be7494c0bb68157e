"""The events of volunteer offers and their shifts, written where the organisation changes them
(`service.volunteering.service` and `.signups`). Sign-ups change no event: who takes a place is nobody's business,
and the sign-up path stays free of the log's lock."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from service.events.log import EventType, global_id, record
from service.volunteering.models import Offer, OfferStatus, Shift


async def offer_published(session: AsyncSession, offer: Offer) -> None:
    await _offer(session, offer, EventType.OFFER_PUBLISHED)


async def offer_closed(session: AsyncSession, offer: Offer) -> None:
    """A closed offer stays public (no new sign-ups)."""
    await _offer(session, offer, EventType.OFFER_CLOSED)


async def _offer(session: AsyncSession, offer: Offer, event_type: EventType) -> None:
    await record(
        session,
        event_type,
        town_id=offer.town_id,
        subject_type="VolunteerOffer",
        subject_id=offer.id,
        data={"title": offer.title},
    )


async def shift_changed(session: AsyncSession, shift: Shift, offer: Offer) -> None:
    """A shift added, moved, resized or cancelled; only for offers the public sees (not drafts)."""
    if offer.status == OfferStatus.DRAFT.value:
        return
    await record(
        session,
        EventType.SHIFT_CHANGED,
        town_id=shift.town_id,
        subject_type="Shift",
        subject_id=shift.id,
        data={
            "offer": global_id("VolunteerOffer", offer.id),
            "startsAt": shift.starts_at.isoformat(),
            "endsAt": shift.ends_at.isoformat(),
            "capacity": shift.capacity,
            "cancelled": shift.cancelled_at is not None,
        },
    )
