from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin


class AuditEntry(IdMixin, CreatedAtMixin, Base):
    """Append-only record of a decision: who (NULL = the system), what, why, before and after.

    A database trigger refuses UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_log"

    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    __table_args__ = (
        Index(None, "town_id", "created_at"),
        Index(None, "subject_type", "subject_id"),
    )
