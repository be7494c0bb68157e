"""Reading a town's audit log: its moderators and admins, newest first. There is no way to change it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.models import AuditEntry
from service.auth.viewer import Viewer
from service.errors import PermissionDenied
from service.moderation.policies import can_read_audit_log
from service.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid

_CURSOR = "audit"


@dataclass(frozen=True)
class AuditPage:
    entries: Sequence[AuditEntry]
    has_next_page: bool


def audit_cursor(entry: AuditEntry) -> str:
    return encode_cursor(_CURSOR, entry.created_at.isoformat(), str(entry.id))


async def audit_log(
    session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID, first: int, after: str | None = None
) -> AuditPage:
    viewer.require_person()
    if not can_read_audit_log(viewer, town_id):
        raise PermissionDenied("Das Protokoll einer Stadt lesen nur deren Moderation und Administration.")
    check_page_size(first)
    statement = (
        select(AuditEntry)
        .where(AuditEntry.town_id == town_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(first + 1)
    )
    if after is not None:
        created_at, entry_id = decode_cursor(_CURSOR, after, 2)
        position = (parse_time(created_at), parse_uuid(entry_id))
        statement = statement.where(tuple_(AuditEntry.created_at, AuditEntry.id) < position)
    found = (await session.scalars(statement)).all()
    return AuditPage(entries=found[:first], has_next_page=len(found) > first)
