from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin


class Notification(IdMixin, CreatedAtMixin, Base):
    """An e-mail to a person, written in the transaction of the event; a worker delivers it (outbox)."""

    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # Counted in a transaction of its own before each attempt, so that a failing attempt still counts.
    attempts: Mapped[int] = mapped_column(default=0)
    # Set when delivery is given up (a message that cannot be built, or the last attempt failed); `failure` says why.
    failed_at: Mapped[datetime | None]
    failure: Mapped[str | None] = mapped_column(Text)
    # When the person marked it read in the API (`markNotificationsRead`); null: unread.
    read_at: Mapped[datetime | None]

    __table_args__ = (
        Index(None, "user_id"),
        Index("ix_notifications_user_id_created_at_id", "user_id", "created_at", "id"),
        Index("ix_notifications_unsent", "created_at", postgresql_where="sent_at IS NULL"),
    )
