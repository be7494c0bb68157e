"""The event log: what happened that anyone may know, in the order it committed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base


class Event(Base):
    """One public fact. `sequence` grows with every event of the whole log and events commit in its order (the
    writer takes `events.log.LOCK` until commit), so a follower's cursor never skips one that commits later."""

    __tablename__ = "events"

    sequence: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    # None: about the whole region (e.g. the region roll-up of the tallies), for region-wide followers only.
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    # The GraphQL type of the node the event is about (`Idea`, `Survey`, …) and its row id.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID]
    # Public facts only: what an anonymous caller can read of the subject when the event is written.
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        Index(None, "town_id", "sequence"),
        Index(None, "subject_id"),
        Index(None, "created_at"),
    )
