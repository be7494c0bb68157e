"""Notifications as their addressee reads them in the API (newest first, read or unread), and the outbox as the
development mail page shows it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.errors import CommonErrorCode, NotFound, UserError
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid
from service.notifications.models import Notification
from service.users.models import User

CURSOR_KIND = "notification"
MAX_MARKED = 100


@dataclass(frozen=True)
class NotificationPage:
    items: Sequence[Notification]
    has_next_page: bool

    @staticmethod
    def cursor(notification: Notification) -> str:
        return encode_cursor(CURSOR_KIND, notification.created_at.isoformat(), str(notification.id))


async def notifications_of(
    session: AsyncSession, viewer: Viewer, *, first: int, after: str | None, unread_only: bool
) -> NotificationPage:
    """The viewer's own notifications, newest first, keyset-paginated; nobody else's, ever."""
    user_id = viewer.require_person()
    check_page_size(first)
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    if after is not None:
        created_at, notification_id = decode_cursor(CURSOR_KIND, after, 2)
        before = tuple_(parse_time(created_at), parse_uuid(notification_id))
        statement = statement.where(tuple_(Notification.created_at, Notification.id) < before)
    rows = (
        await session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(first + 1)
        )
    ).all()
    return NotificationPage(items=rows[:first], has_next_page=len(rows) > first)


async def own_notifications(session: AsyncSession, viewer: Viewer, ids: Sequence[uuid.UUID]) -> Sequence[Notification]:
    """Those of `ids` that are the viewer's own notifications."""
    user_id = viewer.require_person()
    return (
        await session.scalars(select(Notification).where(Notification.user_id == user_id, Notification.id.in_(ids)))
    ).all()


async def unread_count(session: AsyncSession, viewer: Viewer) -> int:
    user_id = viewer.require_person()
    count = await session.scalar(
        select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(session: AsyncSession, viewer: Viewer, *, ids: Sequence[uuid.UUID] | None, everything: bool) -> int:
    """Marks the named notifications (or, with `everything`, all) of the viewer as read; returns how many were
    unread. An id that is not one of the viewer's own notifications refuses the whole call."""
    user_id = viewer.require_person()
    if everything == (ids is not None):
        raise UserError(CommonErrorCode.INVALID_INPUT, "Entweder `ids` oder `all: true` angeben.", field="ids")
    mine = Notification.user_id == user_id
    if ids is not None:
        wanted = set(ids)
        if not 1 <= len(wanted) <= MAX_MARKED:
            raise UserError(
                CommonErrorCode.INVALID_INPUT, f"Zwischen 1 und {MAX_MARKED} Benachrichtigungen angeben.", field="ids"
            )
        found = set(await session.scalars(select(Notification.id).where(mine, Notification.id.in_(wanted))))
        if found != wanted:
            raise NotFound(CommonErrorCode.NOT_FOUND, "Diese Benachrichtigung gibt es nicht.", field="ids")
        mine = mine & Notification.id.in_(wanted)
    result = await session.execute(
        update(Notification).where(mine, Notification.read_at.is_(None)).values(read_at=func.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class CaughtMail:
    notification: Notification
    recipient_name: str | None
    recipient_email: str | None


async def latest_mail(session: AsyncSession, *, limit: int = 100) -> list[CaughtMail]:
    """The newest e-mails in the outbox with their addressees (development mail page only)."""
    rows = await session.execute(
        select(Notification, User.display_name, User.email)
        .join(User, User.id == Notification.user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [CaughtMail(notification, name, email) for notification, name, email in rows.all()]
