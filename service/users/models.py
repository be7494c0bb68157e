from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin


class User(IdMixin, CreatedAtMixin, Base):
    """A person, known by the identity provider's (issuer, subject); one account serves every town."""

    __tablename__ = "users"

    issuer: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    home_town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="SET NULL"))
    last_seen_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        Index(None, "home_town_id"),
    )
