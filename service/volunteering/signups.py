"""Sign-ups for shifts: confirmed while places are free, else waitlisted first-in-first-out; a freed place is
offered to the first waitlisted person, who confirms within the offer's deadline or the place passes on.

Locking: everything that changes who holds a place on a shift first takes the shift row lock
(`SELECT … FOR UPDATE` on `volunteer_shifts`), so `places_taken` and the arrival order are only changed by one
transaction at a time. A sign-up first takes the person's advisory lock (for the overlap check), then the shift
lock; nothing takes them the other way round, so the two cannot deadlock.

The organisation's changes to shifts are in `shift_changes`, attendance in `attendance`, reminders in `reminders`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, String, bindparam, func, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.notifications.service import notify
from service.volunteering.errors import VolunteeringErrorCode
from service.volunteering.models import (
    ACTIVE_STATUSES,
    PLACE_HOLDING_STATUSES,
    Offer,
    OfferStatus,
    Shift,
    SignUp,
    SignUpStatus,
)
from service.volunteering.policies import NOT_DRAFTS, offer_visible_to
from service.volunteering.service import (
    now,
    visible_shift,
)

LOCAL_TIME = ZoneInfo("Europe/Berlin")
BATCH = 500


def shift_time(shift: Shift) -> str:
    start, end = shift.starts_at.astimezone(LOCAL_TIME), shift.ends_at.astimezone(LOCAL_TIME)
    return f"{start:%d.%m.%Y} von {start:%H:%M} bis {end:%H:%M} Uhr"


def _person_lock_of(user_id: ColumnElement[str]) -> ColumnElement[Any]:
    """Serialises one person's sign-ups, so that two overlapping sign-ups cannot both pass the check.
    `user_id` is the person's id as text."""
    key = func.hashtextextended(literal("volunteer:") + user_id, 0)
    return func.pg_advisory_xact_lock(key)


async def _person_lock(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(select(_person_lock_of(literal(str(user_id)))))


def _shift_to_sign_up_for(visible: ColumnElement[bool]) -> Select[tuple[Shift, str, datetime, Any]]:
    """The shift (:shift_id) with its offer's status and the time, taking the person's lock (:user_id as text)."""
    return (
        select(Shift, Offer.status, func.now(), _person_lock_of(bindparam("user_id", type_=String)))
        .join(Offer, Offer.id == Shift.offer_id)
        .where(Shift.id == bindparam("shift_id"), visible)
    )


# Built once for everyone who sees no drafts: most of the people who sign up.
_SHIFT_TO_SIGN_UP_FOR = _shift_to_sign_up_for(NOT_DRAFTS)


async def _conflicting_shift_ids(session: AsyncSession, user_id: uuid.UUID, shift: Shift) -> set[uuid.UUID]:
    """Shifts overlapping this one that the person is on (this shift itself among them if signed up already)."""
    found = await session.scalars(
        select(SignUp.shift_id)
        .join(Shift, Shift.id == SignUp.shift_id)
        .where(
            SignUp.user_id == user_id,
            SignUp.status.in_([status.value for status in ACTIVE_STATUSES]),
            Shift.cancelled_at.is_(None),
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
    )
    return set(found)


def _check_open(shift: Shift, current: datetime) -> None:
    if shift.cancelled_at is not None:
        raise UserError(VolunteeringErrorCode.SHIFT_CANCELLED, "Dieser Einsatz wurde abgesagt.")
    if shift.starts_at <= current:
        raise UserError(
            VolunteeringErrorCode.SIGN_UP_CLOSED, "Die Anmeldung ist geschlossen: der Einsatz hat begonnen."
        )


@dataclass(frozen=True)
class SignedUp:
    sign_up: SignUp
    waitlist_position: int | None


async def sign_up_for_shift(
    session: AsyncSession, viewer: Viewer, *, shift_id: uuid.UUID, share_contact: bool = False
) -> SignedUp:
    """Confirmed when a place is free, else waitlisted; the position is the arrival order under the shift lock.
    With `share_contact` the organisation's managers see the person's e-mail address on the roster.

    Few statements, because a connection is held for all of them and the shift lock from the second to the commit:
    1. take the person's lock and read the shift and its offer;
    2. lock the shift, check (under the person's lock, in a snapshot taken after it) that the person is on no
       overlapping shift, this one included, hand out the next position and a place if one is free, insert;
    3. only for the waitlisted: count the people waiting ahead.
    When the second inserts nothing, a further statement finds out why (signed up already, an overlap, or the
    shift was cancelled or has started while this request waited for its lock).
    """
    user_id = viewer.require_person()
    visible = offer_visible_to(viewer)
    statement = _SHIFT_TO_SIGN_UP_FOR if visible is NOT_DRAFTS else _shift_to_sign_up_for(visible)
    row = (await session.execute(statement, {"shift_id": shift_id, "user_id": str(user_id)})).first()
    if row is None:
        raise NotFound(VolunteeringErrorCode.UNKNOWN_SHIFT, "Diesen Einsatz gibt es nicht (mehr).", field="shiftId")
    shift, offer_status, current, _locked = row
    if offer_status != OfferStatus.PUBLISHED.value:
        raise UserError(VolunteeringErrorCode.OFFER_NOT_OPEN, "Für dieses Angebot kann man sich nicht (mehr) anmelden.")
    _check_open(shift, current)
    sign_up: SignUp | None = await session.scalar(
        select(SignUp)
        .from_statement(text(_TAKE_PLACE_OR_QUEUE))
        .params(
            id=uuid.uuid4(),
            shift_id=shift.id,
            user_id=user_id,
            active=[s.value for s in ACTIVE_STATUSES],
            share_contact=share_contact,
        )
        .execution_options(populate_existing=True)
    )
    if sign_up is None:
        await _refusal(session, user_id, shift)
    assert sign_up is not None  # noqa: S101 - `_refusal` always raises
    if sign_up.status == SignUpStatus.WAITLISTED.value:
        # A new statement, so a new snapshot: it sees every sign-up committed before this one took the lock.
        ahead = await session.scalar(
            select(func.count(SignUp.id)).where(
                SignUp.shift_id == shift.id,
                SignUp.status == SignUpStatus.WAITLISTED.value,
                SignUp.position <= sign_up.position,
            )
        )
        return SignedUp(sign_up, int(ahead or 0))
    return SignedUp(sign_up, None)


async def _refusal(session: AsyncSession, user_id: uuid.UUID, shift: Shift) -> NoReturn:
    """Why a sign-up inserted nothing; the person's lock is held, so what this sees is what the insert saw."""
    conflicts = await _conflicting_shift_ids(session, user_id, shift)
    if shift.id in conflicts:
        raise UserError(VolunteeringErrorCode.ALREADY_SIGNED_UP, "Sie sind für diesen Einsatz bereits angemeldet.")
    if conflicts:
        raise UserError(
            VolunteeringErrorCode.OVERLAPPING_SHIFT,
            "Sie sind zu dieser Zeit schon für einen anderen Einsatz angemeldet.",
        )
    # Cancelled or moved to the past while this request waited for the shift lock.
    raise UserError(VolunteeringErrorCode.SIGN_UP_CLOSED, "Für diesen Einsatz ist die Anmeldung geschlossen.")


# One statement under the shift lock: lock the shift row unless the person is on an overlapping shift (this one
# included), hand out the next position and a place if one is free, and insert the sign-up. In READ COMMITTED the
# locking read returns the newest version of the row once the lock is granted and checks its conditions again on
# that version (the overlap with its current times included), and the UPDATE re-reads that version too, so the
# values written are the ones the lock protects. The person's other sign-ups are read in this statement's snapshot,
# taken after the person's lock was granted by the statement before.
_TAKE_PLACE_OR_QUEUE = """
WITH locked AS (
    SELECT id, town_id, capacity, places_taken, last_position
    FROM volunteer_shifts AS shift
    WHERE id = :shift_id AND cancelled_at IS NULL AND starts_at > now()
      AND NOT EXISTS (
          SELECT FROM volunteer_sign_ups AS mine JOIN volunteer_shifts AS other ON other.id = mine.shift_id
          WHERE mine.user_id = :user_id AND mine.status = ANY(:active) AND other.cancelled_at IS NULL
            AND other.starts_at < shift.ends_at AND other.ends_at > shift.starts_at
      )
    FOR UPDATE
), taken AS (
    UPDATE volunteer_shifts AS shift
    SET last_position = locked.last_position + 1,
        places_taken = locked.places_taken + CASE WHEN locked.places_taken < locked.capacity THEN 1 ELSE 0 END
    FROM locked
    WHERE shift.id = locked.id
    RETURNING shift.id, shift.town_id, shift.last_position, locked.places_taken < locked.capacity AS confirmed
)
INSERT INTO volunteer_sign_ups (
    id, shift_id, user_id, town_id, status, position, confirmed_at, queued_at, created_at, share_contact
)
SELECT :id, taken.id, :user_id, taken.town_id,
       CASE WHEN taken.confirmed THEN 'confirmed' ELSE 'waitlisted' END,
       taken.last_position, CASE WHEN taken.confirmed THEN now() END, clock_timestamp(), now(), :share_contact
FROM taken
RETURNING *
"""


async def _locked_shift(session: AsyncSession, shift_id: uuid.UUID) -> Shift:
    shift = await session.scalar(
        select(Shift).where(Shift.id == shift_id).with_for_update().execution_options(populate_existing=True)
    )
    assert shift is not None  # noqa: S101 - shifts are never deleted while their offer exists
    return shift


async def own_sign_up(session: AsyncSession, viewer: Viewer, sign_up_id: uuid.UUID) -> tuple[SignUp, Shift]:
    """The viewer's own sign-up with its shift locked (the shift lock first, as everywhere)."""
    user_id = viewer.require_person()
    shift_id = await session.scalar(select(SignUp.shift_id).where(SignUp.id == sign_up_id))
    missing = NotFound(VolunteeringErrorCode.UNKNOWN_SIGN_UP, "Diese Anmeldung gibt es nicht.", field="signUpId")
    if shift_id is None:
        raise missing
    shift = await visible_shift(session, viewer, shift_id, lock=True)
    sign_up = await locked_sign_up(session, sign_up_id)
    if sign_up.user_id != user_id:
        raise PermissionDenied("Nur die angemeldete Person selbst kann das.")
    return sign_up, shift


async def locked_sign_up(session: AsyncSession, sign_up_id: uuid.UUID) -> SignUp:
    sign_up = await session.scalar(
        select(SignUp).where(SignUp.id == sign_up_id).with_for_update().execution_options(populate_existing=True)
    )
    if sign_up is None:
        raise NotFound(VolunteeringErrorCode.UNKNOWN_SIGN_UP, "Diese Anmeldung gibt es nicht.", field="signUpId")
    return sign_up


async def cancel_sign_up(session: AsyncSession, viewer: Viewer, *, sign_up_id: uuid.UUID) -> SignUp:
    """A person cancels their own sign-up before the shift starts; a freed place goes to the waitlist."""
    sign_up, shift = await own_sign_up(session, viewer, sign_up_id)
    if sign_up.status not in {SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED, SignUpStatus.OFFERED}:
        raise UserError(VolunteeringErrorCode.SIGN_UP_NOT_ACTIVE, "Diese Anmeldung ist nicht mehr aktiv.")
    if shift.starts_at <= await now(session):
        raise UserError(VolunteeringErrorCode.SIGN_UP_CLOSED, "Der Einsatz hat schon begonnen.")
    await _cancel(session, sign_up, shift)
    await session.refresh(sign_up)
    return sign_up


async def _cancel(session: AsyncSession, sign_up: SignUp, shift: Shift) -> None:
    """Cancel an active sign-up; the caller holds the shift lock. A freed place goes to the waitlist."""
    held_place = sign_up.status in PLACE_HOLDING_STATUSES
    sign_up.status = SignUpStatus.CANCELLED.value
    sign_up.cancelled_at = func.now()
    sign_up.offer_expires_at = None
    if held_place:
        shift.places_taken -= 1
        await session.flush()
        await fill_free_places(session, shift)
    await session.flush()


async def cancel_everything_of(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Cancel a person's active sign-ups on shifts that have not started (account deletion); returns how many.

    Takes the person's lock, then each shift's lock in shift id order, like a sign-up does.
    """
    await _person_lock(session, user_id)
    shift_ids = (
        await session.scalars(
            select(SignUp.shift_id)
            .join(Shift, Shift.id == SignUp.shift_id)
            .where(
                SignUp.user_id == user_id,
                SignUp.status.in_([SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED, SignUpStatus.OFFERED]),
                Shift.starts_at > func.now(),
            )
            .distinct()
            .order_by(SignUp.shift_id)
        )
    ).all()
    cancelled = 0
    for shift_id in shift_ids:
        shift = await _locked_shift(session, shift_id)
        sign_ups = await session.scalars(
            select(SignUp)
            .where(
                SignUp.shift_id == shift_id,
                SignUp.user_id == user_id,
                SignUp.status.in_([SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED, SignUpStatus.OFFERED]),
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        for sign_up in sign_ups.all():
            await _cancel(session, sign_up, shift)
            cancelled += 1
    return cancelled


async def fill_free_places(session: AsyncSession, shift: Shift) -> list[SignUp]:
    """Offer free places to the first waitlisted people. The caller holds the shift lock."""
    offer = await session.get(Offer, shift.offer_id)
    assert offer is not None  # noqa: S101 - a foreign key
    current = await now(session)
    if shift.cancelled_at is not None or shift.starts_at <= current:
        return []
    free = shift.capacity - shift.places_taken
    if free <= 0:
        return []
    waiting = await session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift.id, SignUp.status == SignUpStatus.WAITLISTED.value)
        .order_by(SignUp.position)
        .limit(free)
        .with_for_update()
    )
    offered = []
    deadline = min(current + timedelta(hours=offer.confirmation_hours), shift.starts_at)
    for sign_up in waiting:
        sign_up.status = SignUpStatus.OFFERED.value
        sign_up.offer_expires_at = deadline
        shift.places_taken += 1
        offered.append(sign_up)
        notify(
            session,
            user_id=sign_up.user_id,
            kind="volunteering.place_offered",
            subject=f"Ein Platz ist frei geworden: „{offer.title}“",
            body=(
                f"Für „{offer.title}“ am {shift_time(shift)} ist ein Platz frei geworden.\n\n"
                f"Bitte bestätigen Sie ihn bis {deadline.astimezone(LOCAL_TIME):%d.%m.%Y, %H:%M} Uhr, "
                "sonst geht er an die nächste Person auf der Warteliste.\n"
            ),
        )
    await session.flush()
    return offered


async def set_contact_sharing(session: AsyncSession, viewer: Viewer, *, sign_up_id: uuid.UUID, share: bool) -> SignUp:
    """The person gives or withdraws their consent to the organisation seeing their e-mail address, any time."""
    sign_up, _shift = await own_sign_up(session, viewer, sign_up_id)
    sign_up.share_contact = share
    await session.flush()
    await session.refresh(sign_up)
    return sign_up


async def confirm_offered_place(session: AsyncSession, viewer: Viewer, *, sign_up_id: uuid.UUID) -> SignUp:
    sign_up, _shift = await own_sign_up(session, viewer, sign_up_id)
    if sign_up.status == SignUpStatus.CONFIRMED.value:
        return sign_up
    if sign_up.status != SignUpStatus.OFFERED.value or sign_up.offer_expires_at is None:
        raise UserError(VolunteeringErrorCode.PLACE_NOT_OFFERED, "Für diese Anmeldung ist kein Platz angeboten.")
    if sign_up.offer_expires_at <= await now(session):
        raise UserError(VolunteeringErrorCode.PLACE_OFFER_EXPIRED, "Die Frist zum Bestätigen ist abgelaufen.")
    sign_up.status = SignUpStatus.CONFIRMED.value
    sign_up.confirmed_at = func.now()
    sign_up.offer_expires_at = None
    await session.flush()
    await session.refresh(sign_up)
    return sign_up


async def expired_offer_shift_ids(session: AsyncSession) -> Sequence[uuid.UUID]:
    rows = await session.scalars(
        select(SignUp.shift_id)
        .where(SignUp.status == SignUpStatus.OFFERED.value, SignUp.offer_expires_at <= func.now())
        .distinct()
        .limit(BATCH)
    )
    return list(rows)


async def expire_offers_on_shift(session: AsyncSession, shift_id: uuid.UUID) -> int:
    """Idempotent: offers past their deadline expire and their places go to the next waitlisted people."""
    shift = await session.scalar(
        select(Shift).where(Shift.id == shift_id).with_for_update().execution_options(populate_existing=True)
    )
    if shift is None:
        return 0
    expired = list(
        await session.scalars(
            select(SignUp)
            .where(
                SignUp.shift_id == shift.id,
                SignUp.status == SignUpStatus.OFFERED.value,
                SignUp.offer_expires_at <= func.now(),
            )
            .with_for_update()
        )
    )
    for sign_up in expired:
        sign_up.status = SignUpStatus.EXPIRED.value
        sign_up.offer_expires_at = None
        shift.places_taken -= 1
    await session.flush()
    if expired:
        await fill_free_places(session, shift)
    return len(expired)


async def end_waitlists(session: AsyncSession) -> int:
    """Idempotent: people still waiting when their shift began were not needed; returns how many.

    Nothing changes a waitlisted sign-up once its shift has begun (places are offered, and sign-ups cancelled, only
    before the start), so this needs no shift lock; a row a place is being offered to right now is waited for and
    then skipped, since it is no longer waitlisted.
    """
    ended = await session.execute(
        update(SignUp)
        .where(
            SignUp.status == SignUpStatus.WAITLISTED.value,
            SignUp.shift_id == Shift.id,
            Shift.starts_at <= func.now(),
        )
        .values(status=SignUpStatus.NOT_NEEDED.value)
        .execution_options(synchronize_session=False)
    )
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]
