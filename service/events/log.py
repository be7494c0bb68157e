"""Writing events with the change that causes them, reading them in order, and forgetting them after 30 days.

An event is written in the transaction of its change, so it exists exactly when the change committed. Its data
holds only what an anonymous caller can read of the subject; when a public subject stops being public (withdrawn,
hidden, rejected, archived), a tombstone event is written and the data of its earlier events (and of the events of
an idea's comments) is emptied, so the log never keeps what the API no longer shows.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.kit.errors import InvalidArgument
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor
from service.towns.models import Town
from service.webhooks.wakeup import wake_for

PAYLOAD_VERSION = 1
KEPT_FOR = timedelta(days=30)
CURSOR_KIND = "event"
# Lines per page of the open-data file (`/open-data/events.jsonl`).
OPEN_DATA_PAGE = 1000
MAX_TYPES = 20
# Every writer takes this transaction-level advisory lock before it inserts, so events commit in the order of
# their sequence: a follower that has read up to sequence N never later finds an event below N.
LOCK = 0x6D69746D_6576  # "mitm" "ev"


class EventType(StrEnum):
    IDEA_PUBLISHED = "idea.published"
    IDEA_ANSWERED = "idea.answered"
    IDEA_WITHDRAWN = "idea.withdrawn"
    IDEA_REMOVED = "idea.removed"
    COMMENT_PUBLISHED = "comment.published"
    COMMENT_REMOVED = "comment.removed"
    SURVEY_PUBLISHED = "survey.published"
    SURVEY_CLOSED = "survey.closed"
    SURVEY_REMOVED = "survey.removed"
    OFFER_PUBLISHED = "offer.published"
    OFFER_CLOSED = "offer.closed"
    SHIFT_CHANGED = "shift.changed"
    TALLIES_RECOMPUTED = "tallies.recomputed"


TOMBSTONES = frozenset(
    {EventType.IDEA_WITHDRAWN, EventType.IDEA_REMOVED, EventType.COMMENT_REMOVED, EventType.SURVEY_REMOVED}
)


def global_id(type_name: str, row_id: uuid.UUID) -> str:
    """The GraphQL global id (`node(id:)`) of a row: base64 of `Type:uuid`, as the API encodes it."""
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


async def record(
    session: AsyncSession,
    event_type: EventType,
    *,
    town_id: uuid.UUID | None,
    subject_type: str,
    subject_id: uuid.UUID,
    data: dict[str, Any] | None = None,
) -> None:
    """Write an event in the session's transaction (gone with it if it rolls back); `town_id` None: about the whole
    region, for region-wide followers only. A tombstone also empties the data of the subject's earlier events.
    When an active webhook subscription takes it, a delivery run is asked for after commit (looked up before the
    lock is taken, which every writer of events waits for)."""
    await wake_for(session, town_id, event_type.value)
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK})
    if event_type in TOMBSTONES:
        await session.execute(update(Event).where(Event.subject_id == subject_id).values(data={}))
    session.add(
        Event(type=event_type.value, town_id=town_id, subject_type=subject_type, subject_id=subject_id, data=data or {})
    )
    await session.flush()


async def forget_subjects(session: AsyncSession, subject_ids: Any) -> None:
    """Empty the data of the events of these subjects (a selectable of ids), e.g. the comments of a hidden idea."""
    await session.execute(update(Event).where(Event.subject_id.in_(subject_ids)).values(data={}))


@dataclass(frozen=True)
class LoggedEvent:
    sequence: int
    type: str
    town_id: uuid.UUID | None
    town_slug: str | None
    subject_type: str
    subject_id: uuid.UUID
    data: dict[str, Any]
    created_at: datetime

    @property
    def cursor(self) -> str:
        return encode_cursor(CURSOR_KIND, str(self.sequence))

    @property
    def node_id(self) -> str:
        return global_id(self.subject_type, self.subject_id)

    def payload(self) -> dict[str, Any]:
        """What followers receive (the feed's `payload`, later the webhook body)."""
        return {
            "version": PAYLOAD_VERSION,
            "sequence": str(self.sequence),
            "type": self.type,
            "occurredAt": self.created_at.isoformat(),
            "town": None if self.town_id is None else {"id": global_id("Town", self.town_id), "slug": self.town_slug},
            "node": self.node_id,
            "data": self.data,
        }


def logged(event: Event, town_slug: str | None) -> LoggedEvent:
    """A row of the log as followers read it (`town_slug` None: a region event)."""
    return LoggedEvent(
        sequence=event.sequence,
        type=event.type,
        town_id=event.town_id,
        town_slug=town_slug,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        data=event.data,
        created_at=event.created_at,
    )


@dataclass(frozen=True)
class EventPage:
    items: Sequence[LoggedEvent]
    has_next_page: bool


AFTER_MESSAGE = "`after` muss die Folgenummer (sequence) eines Ereignisses sein, z. B. after=4711."
_SEQUENCE = re.compile(r"[0-9]{1,19}")
MAX_SEQUENCE = 2**63 - 1  # PostgreSQL `bigint`


def _sequence(value: str, message: str) -> int:
    """An event's sequence number as given: ASCII digits of a `bigint` (`str.isdigit` also takes "²")."""
    if not _SEQUENCE.fullmatch(value) or int(value) > MAX_SEQUENCE:
        raise InvalidArgument(message)
    return int(value)


def _after(cursor: str) -> int:
    (value,) = decode_cursor(CURSOR_KIND, cursor, 1)
    return _sequence(value, "Ungültiger Cursor.")


def _types(types: Sequence[str] | None) -> list[str] | None:
    if types is None:
        return None
    known = {member.value for member in EventType}
    unknown = sorted({value for value in types if value not in known})
    if unknown or not 1 <= len(types) <= MAX_TYPES:
        raise InvalidArgument(
            f"Unbekannte Ereignisart: {', '.join(unknown)[:200]}. Bekannt sind: {', '.join(sorted(known))}."
            if unknown
            else f"Bitte 1 bis {MAX_TYPES} Ereignisarten angeben."
        )
    return sorted(set(types))


async def events(
    session: AsyncSession,
    *,
    first: int,
    after: str | None = None,
    town_id: uuid.UUID | None = None,
    types: Sequence[str] | None = None,
) -> EventPage:
    """Events of the last 30 days, oldest first (ascending sequence), for anyone: they hold only public facts."""
    check_page_size(first)
    return await _page(
        session, first, after=None if after is None else _after(after), town_id=town_id, wanted=_types(types)
    )


async def open_data_page(
    session: AsyncSession,
    *,
    after: str | None,
    town_id: uuid.UUID | None = None,
    types: Sequence[str] | None = None,
    limit: int = OPEN_DATA_PAGE,
) -> EventPage:
    """The same events for the open-data file, paged by the plain `sequence` of the last line read (`after`)."""
    sequence = None if after is None else _sequence(after, AFTER_MESSAGE)
    return await _page(session, limit, after=sequence, town_id=town_id, wanted=_types(types))


async def _page(
    session: AsyncSession, first: int, *, after: int | None, town_id: uuid.UUID | None, wanted: list[str] | None
) -> EventPage:
    statement = (
        select(Event, Town.slug)
        .outerjoin(Town, Town.id == Event.town_id)
        .where(Event.created_at > func.now() - KEPT_FOR)
    )
    if after is not None:
        statement = statement.where(Event.sequence > after)
    if town_id is not None:
        statement = statement.where(Event.town_id == town_id)
    if wanted is not None:
        statement = statement.where(Event.type.in_(wanted))
    rows = (await session.execute(statement.order_by(Event.sequence).limit(first + 1))).all()
    items = [logged(event, slug) for event, slug in rows[:first]]
    return EventPage(items=items, has_next_page=len(rows) > first)


async def purge(session: AsyncSession) -> int:
    """Delete events older than 30 days; returns how many."""
    deleted = await session.execute(
        delete(Event).where(Event.created_at <= func.now() - KEPT_FOR).returning(Event.sequence)
    )
    return len(deleted.all())
