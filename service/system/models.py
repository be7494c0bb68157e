from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base


class WorkerHeartbeat(Base):
    """Last time each worker ran its heartbeat job; lets operators see dead workers from the database."""

    __tablename__ = "worker_heartbeats"

    worker_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime]
    jobs_pending: Mapped[int] = mapped_column(default=0)
