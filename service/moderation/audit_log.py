"""Reading a town's audit log: its moderators and admins, newest first. There is no way to change it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.models import AuditEntry
from service.auth.viewer import Viewer
from service.kit.errors import InvalidArgument, PermissionDenied
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid
from service.moderation.policies import can_read_audit_log

_CURSOR = "audit"


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[AuditEntry]
    has_next_page: bool


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: `action` is one action (`role.granted`) or, ending in a dot, a group of them (`role.`);
    `actor_id` one person; `since` and `until` bound the time (from `since` on, before `until`)."""

    action: str | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    def check(self) -> None:
        if self.action is not None and not 0 < len(self.action) <= LONGEST_ACTION:
            raise InvalidArgument(f"Eine Aktion hat 1 bis {LONGEST_ACTION} Zeichen, zum Beispiel role.granted.")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise InvalidArgument("Der Anfang des Zeitraums muss vor seinem Ende liegen.")


LONGEST_ACTION = 64


def audit_cursor(entry: AuditEntry) -> str:
    return encode_cursor(_CURSOR, entry.created_at.isoformat(), str(entry.id))


async def audit_log(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    first: int,
    after: str | None = None,
    only: AuditFilter = AuditFilter(),
) -> AuditPage:
    viewer.require_person()
    if not can_read_audit_log(viewer, town_id):
        raise PermissionDenied("Das Protokoll einer Stadt lesen nur deren Moderation und Administration.")
    check_page_size(first)
    only.check()
    statement = (
        select(AuditEntry)
        .where(AuditEntry.town_id == town_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(first + 1)
    )
    if only.action is not None:
        statement = statement.where(
            AuditEntry.action.startswith(only.action, autoescape=True)
            if only.action.endswith(".")
            else AuditEntry.action == only.action
        )
    if only.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == only.actor_id)
    if only.since is not None:
        statement = statement.where(AuditEntry.created_at >= only.since)
    if only.until is not None:
        statement = statement.where(AuditEntry.created_at < only.until)
    if after is not None:
        created_at, entry_id = decode_cursor(_CURSOR, after, 2)
        position = (parse_time(created_at), parse_uuid(entry_id))
        statement = statement.where(tuple_(AuditEntry.created_at, AuditEntry.id) < position)
    found = (await session.scalars(statement)).all()
    return AuditPage(entries=found[:first], has_next_page=len(found) > first)
