"""Data exports: a person's copy of everything stored about them, fetched once through a short-lived link."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    DOWNLOADED = "downloaded"
    EXPIRED = "expired"


class DataExport(IdMixin, CreatedAtMixin, Base):
    """One requested export. Pending until the `privacy.export` job stores the document and the hash of the
    link's token; the link works once (`used_at`) until `expires_at`. The document is dropped when the link is
    used or expires, and the whole row goes with the account."""

    __tablename__ = "data_exports"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONB, deferred=True)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]

    __table_args__ = (
        Index(None, "user_id", "created_at"),
        Index("ix_data_exports_pending", "created_at", postgresql_where="ready_at IS NULL"),
    )

    def status_at(self, now: datetime) -> ExportStatus:
        if self.ready_at is None:
            return ExportStatus.PENDING
        if self.used_at is not None:
            return ExportStatus.DOWNLOADED
        if self.expires_at is not None and self.expires_at <= now:
            return ExportStatus.EXPIRED
        return ExportStatus.READY


class DeletedIdentity(Base):
    __tablename__ = "deleted_identities"

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    deleted_at: Mapped[datetime]


class ErasedIdentityHold(IdMixin, Base):
    """ "This person already took part in this running survey / reported this item": by digest, nothing else."""

    __tablename__ = "erased_identity_holds"

    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    survey_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)

    __table_args__ = (
        UniqueConstraint("digest", "survey_id", "idea_id", "comment_id", postgresql_nulls_not_distinct=True),
        CheckConstraint(
            "(survey_id IS NOT NULL)::int + (idea_id IS NOT NULL)::int + (comment_id IS NOT NULL)::int = 1",
            name="one_subject",
        ),
    )
