"""Browser sessions: the cookie names a row here, so logging out (or deleting the account) ends every copy."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from service.auth.viewer import Viewer
from service.db.base import Base, CreatedAtMixin, IdMixin
from service.users import repository
from service.users.models import User
from service.users.service import note_seen, viewer_from


class WebSession(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "web_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    __table_args__ = (Index(None, "user_id"),)


async def start_session(session: AsyncSession, *, user_id: uuid.UUID, lifetime: timedelta) -> uuid.UUID:
    web_session = WebSession(id=uuid.uuid4(), user_id=user_id, expires_at=func.now() + lifetime)
    session.add(web_session)
    await session.flush()
    return web_session.id


async def end_session(session: AsyncSession, *, session_id: uuid.UUID) -> None:
    await session.execute(
        update(WebSession).where(WebSession.id == session_id, WebSession.ended_at.is_(None)).values(ended_at=func.now())
    )


async def viewer_for_session(
    session: AsyncSession, *, session_id: uuid.UUID, identity_key: bytes | None = None
) -> Viewer | None:
    """The person of a live session (not ended, not expired), with their roles; None otherwise."""
    found = await repository.user_with_grants(
        session,
        WebSession.id == session_id,
        WebSession.ended_at.is_(None),
        WebSession.expires_at > func.now(),
        join=(WebSession, WebSession.user_id == User.id),
    )
    if found is None:
        return None
    await note_seen(session, found[0])
    return viewer_from(*found, via_cookie=True, identity_key=identity_key)
