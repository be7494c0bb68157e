"""An organisation changes or cancels a shift: the people on it are told, freed places go to the waitlist."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.events import volunteering as events
from service.kit.errors import UserError
from service.notifications.service import notify
from service.volunteering import validation
from service.volunteering.errors import VolunteeringErrorCode
from service.volunteering.models import ACTIVE_STATUSES, Offer, Shift, SignUp, SignUpStatus
from service.volunteering.service import active_sign_ups, managed_shift, now
from service.volunteering.signups import fill_free_places, shift_time


async def _tell_everyone_on(session: AsyncSession, shift: Shift, *, kind: str, subject: str, body: str) -> None:
    for sign_up in await active_sign_ups(session, shift.id):
        if sign_up.status != SignUpStatus.ATTENDED.value:
            notify(session, user_id=sign_up.user_id, kind=kind, subject=subject, body=body)


async def update_shift(
    session: AsyncSession,
    viewer: Viewer,
    *,
    shift_id: uuid.UUID,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    capacity: int | None = None,
) -> Shift:
    """Changed times are mailed to everyone signed up (and reminders sent again); more places go to the waitlist.

    A shift that has started (or is over) keeps its times: its attendance and hours belong to them. People whose
    other shift the new times overlap keep both sign-ups, and their e-mail names the other shift: they know which
    one they can give up, the organisation does not (and must not see the other organisation's shifts).
    """
    shift, offer = await managed_shift(session, viewer, shift_id)
    if shift.cancelled_at is not None:
        raise UserError(VolunteeringErrorCode.SHIFT_CANCELLED, "Dieser Einsatz wurde abgesagt.")
    new_start, new_end = starts_at or shift.starts_at, ends_at or shift.ends_at
    times_changed = (new_start, new_end) != (shift.starts_at, shift.ends_at)
    if times_changed:
        current = await now(session)
        if shift.starts_at <= current:
            raise UserError(
                VolunteeringErrorCode.SHIFT_STARTED,
                "Der Einsatz hat schon begonnen; seine Zeiten lassen sich nicht mehr ändern.",
                field="startsAt",
            )
        validation.shift_times(new_start, new_end, now=current)
    changed = times_changed or (capacity is not None and capacity != shift.capacity)
    if capacity is not None:
        validation.capacity(capacity)
        if capacity < shift.places_taken:
            raise UserError(
                VolunteeringErrorCode.CAPACITY_BELOW_TAKEN,
                f"Es sind schon {shift.places_taken} Plätze vergeben.",
                field="capacity",
            )
        shift.capacity = capacity
    if times_changed:
        shift.starts_at, shift.ends_at = new_start, new_end
        signed_up = await active_sign_ups(session, shift.id)
        clashes = await _overlapping_elsewhere(session, shift, [sign_up.user_id for sign_up in signed_up])
        for sign_up in signed_up:
            sign_up.reminded_at = None
            notify(
                session,
                user_id=sign_up.user_id,
                kind="volunteering.shift_changed",
                subject=f"Neue Zeiten: „{offer.title}“",
                body=f"Der Einsatz „{offer.title}“ findet jetzt am {shift_time(shift)} statt.\n"
                + "".join(
                    f"\nZur neuen Zeit sind Sie auch für „{title}“ am {shift_time(other)} angemeldet. Bitte sagen Sie "
                    "einen der beiden Einsätze ab, wenn Sie nicht beide wahrnehmen können.\n"
                    for other, title in clashes.get(sign_up.user_id, [])
                ),
            )
    await session.flush()
    await fill_free_places(session, shift)
    await session.refresh(shift)
    if changed:
        await events.shift_changed(session, shift, offer)
    return shift


async def _overlapping_elsewhere(
    session: AsyncSession, shift: Shift, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Shift, str]]]:
    """Per person: their other active shifts (with the offer's title) that overlap this shift's times."""
    rows = await session.execute(
        select(SignUp.user_id, Shift, Offer.title)
        .join(Shift, Shift.id == SignUp.shift_id)
        .join(Offer, Offer.id == Shift.offer_id)
        .where(
            SignUp.user_id.in_(user_ids),
            SignUp.status.in_([status.value for status in ACTIVE_STATUSES]),
            Shift.id != shift.id,
            Shift.cancelled_at.is_(None),
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .order_by(Shift.starts_at)
    )
    found: dict[uuid.UUID, list[tuple[Shift, str]]] = {}
    for user_id, other, title in rows:
        found.setdefault(user_id, []).append((other, title))
    return found


async def cancel_shift(session: AsyncSession, viewer: Viewer, *, shift_id: uuid.UUID) -> Shift:
    """The organisation cancels a shift before it starts: every sign-up ends and the people on it are told.

    A shift that has started is not cancelled: attendance recorded for it (hours) must stay.
    """
    shift, offer = await managed_shift(session, viewer, shift_id)
    if shift.cancelled_at is not None:
        return shift
    if shift.starts_at <= await now(session):
        raise UserError(
            VolunteeringErrorCode.SHIFT_STARTED, "Der Einsatz hat schon begonnen und kann nicht mehr abgesagt werden."
        )
    await _tell_everyone_on(
        session,
        shift,
        kind="volunteering.shift_cancelled",
        subject=f"Abgesagt: „{offer.title}“",
        body=f"Die Organisation hat den Einsatz „{offer.title}“ am {shift_time(shift)} abgesagt.\n",
    )
    for sign_up in await active_sign_ups(session, shift.id):
        sign_up.status = SignUpStatus.CANCELLED.value
        sign_up.cancelled_at = func.now()
        sign_up.offer_expires_at = None
    shift.cancelled_at = func.now()
    shift.places_taken = 0
    await session.flush()
    await session.refresh(shift)
    await events.shift_changed(session, shift, offer)
    return shift
