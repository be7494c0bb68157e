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

from sqlalchemy import ColumnElement, Integer, Select, String, bindparam, column, func, literal, select, text, update
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
    """The shift (:shift_id) with its offer's status and the time, taking the person's lock (:user_id as text) and
    then the shift's row lock (the function in the select list runs below the row locking), so the shift read is
    its newest version and stays so until the commit."""
    return (
        select(Shift, Offer.status, func.now(), _person_lock_of(bindparam("user_id", type_=String)))
        .join(Offer, Offer.id == Shift.offer_id)
        .where(Shift.id == bindparam("shift_id"), visible)
        .with_for_update(of=Shift)
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

    Two statements, confirmed or waitlisted, because a connection is held for both and the shift lock to the commit:
    1. take the person's lock, then the shift's (the row lock), and read the shift and its offer;
    2. in a snapshot taken after both locks: check that the person is on no overlapping shift, this one included,
       hand out the next position and a place if one is free, insert, and count the people waiting ahead.
    When the second inserts nothing, a further statement finds out why (signed up already, or an overlap).
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
    taken = (
        await session.execute(
            _TAKE_PLACE_OR_QUEUE,
            {
                "id": uuid.uuid4(),
                "shift_id": shift.id,
                "user_id": user_id,
                "active": [s.value for s in ACTIVE_STATUSES],
                "share_contact": share_contact,
            },
            execution_options={"populate_existing": True},
        )
    ).first()
    if taken is None:
        await _refusal(session, user_id, shift)
    assert taken is not None  # noqa: S101 - `_refusal` always raises
    sign_up, waiting_ahead = taken
    return SignedUp(sign_up, waiting_ahead)


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
    # Not expected: the shift was checked open under its lock. Refused as closed rather than left unexplained.
    raise UserError(VolunteeringErrorCode.SIGN_UP_CLOSED, "Für diesen Einsatz ist die Anmeldung geschlossen.")


# One statement under the shift lock (taken by the statement before, so this statement's snapshot sees every
# sign-up committed before): insert unless the person is on an overlapping shift (this one included), with the next
# position and a place if one is free; for the waitlisted, count the people waiting ahead. The count reads the
# snapshot, which holds everyone waiting before this sign-up (all of them with lower positions) but not this
# sign-up itself: hence the 1.
_TAKE_PLACE_OR_QUEUE_SQL = """
WITH shift AS (
    SELECT id, town_id, capacity, places_taken, last_position
    FROM volunteer_shifts AS shift
    WHERE id = :shift_id
      AND NOT EXISTS (
          SELECT FROM volunteer_sign_ups AS mine JOIN volunteer_shifts AS other ON other.id = mine.shift_id
          WHERE mine.user_id = :user_id AND mine.status = ANY(:active) AND other.cancelled_at IS NULL
            AND other.starts_at < shift.ends_at AND other.ends_at > shift.starts_at
      )
), taken AS (
    UPDATE volunteer_shifts AS locked
    SET last_position = shift.last_position + 1,
        places_taken = shift.places_taken + CASE WHEN shift.places_taken < shift.capacity THEN 1 ELSE 0 END
    FROM shift
    WHERE locked.id = shift.id
    RETURNING locked.id, locked.town_id, locked.last_position, shift.places_taken < shift.capacity AS confirmed
), inserted AS (
    INSERT INTO volunteer_sign_ups (
        id, shift_id, user_id, town_id, status, position, confirmed_at, queued_at, created_at, share_contact
    )
    SELECT :id, taken.id, :user_id, taken.town_id,
           CASE WHEN taken.confirmed THEN 'confirmed' ELSE 'waitlisted' END,
           taken.last_position, CASE WHEN taken.confirmed THEN now() END, clock_timestamp(), now(), :share_contact
    FROM taken
    RETURNING *
)
SELECT {columns},
       CASE WHEN inserted.status = 'waitlisted' THEN 1 + (
           SELECT count(*) FROM volunteer_sign_ups AS waiting
           WHERE waiting.shift_id = :shift_id AND waiting.status = 'waitlisted'
       ) END AS waiting_ahead
FROM inserted
"""
# The sign-up's columns in the order the mapping lists them: a textual statement's columns are matched by position.
_SIGN_UP_COLUMNS = list(SignUp.__table__.columns)
_TAKE_PLACE_OR_QUEUE = select(SignUp, column("waiting_ahead", Integer)).from_statement(
    text(
        _TAKE_PLACE_OR_QUEUE_SQL.replace(
            "{columns}", ", ".join(f"inserted.{table_column.name}" for table_column in _SIGN_UP_COLUMNS)
        )
    ).columns(*_SIGN_UP_COLUMNS, column("waiting_ahead", Integer))
)


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
