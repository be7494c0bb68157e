from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin, enum_column

DEFAULT_REPORT_THRESHOLD = 3
MAX_REPORT_THRESHOLD = 100


class ModerationPolicy(StrEnum):
    """How a town moderates contributions before they are public.

    - off: everything is published at once; moderation happens afterwards through reports.
    - first_post: the first contribution of a person in the town waits for a human, later ones are risk-based.
    - always: every contribution waits for a human (severe abuse is still rejected at once).
    - risk_based: published unless a check fires; held when one does, rejected when severe abuse is certain.
    """

    OFF = "off"
    FIRST_POST = "first_post"
    ALWAYS = "always"
    RISK_BASED = "risk_based"


DEFAULT_POLICY = ModerationPolicy.RISK_BASED


class SubjectKind(StrEnum):
    IDEA = "idea"
    COMMENT = "comment"


# A contribution as the moderation tables name it: its kind and its id.
SubjectKey = tuple[SubjectKind, uuid.UUID]


class Outcome(StrEnum):
    """What a decision did to a contribution."""

    PUBLISH = "publish"
    HOLD = "hold"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS_REPORTS = "dismiss_reports"
    UPHOLD = "uphold"


class AppealResolution(StrEnum):
    REVERSED = "reversed"
    UPHELD = "upheld"


class TownModerationSettings(Base):
    """A town's moderation policy; a town without a row uses the default (risk-based, three reporters)."""

    __tablename__ = "town_moderation_settings"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"), primary_key=True)
    policy: Mapped[str] = mapped_column(enum_column(ModerationPolicy, check="known_policy"))
    report_threshold: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(f"report_threshold BETWEEN 1 AND {MAX_REPORT_THRESHOLD}", name="report_threshold_range"),
    )


class ModerationDecision(IdMixin, CreatedAtMixin, Base):
    """One decision on an idea or a comment, with its reason codes.

    Automated checks carry the digest of the text they judged: the unique constraint makes the automated
    decision on one version of a text happen exactly once, however often the check job runs. Human decisions
    and hiding by reports have no digest and are never collapsed.
    """

    __tablename__ = "moderation_decisions"

    subject_type: Mapped[str] = mapped_column(enum_column(SubjectKind, check="known_subject_type"))
    subject_id: Mapped[uuid.UUID]
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    automated: Mapped[bool]
    outcome: Mapped[str] = mapped_column(enum_column(Outcome, check="known_outcome"))
    reasons: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    score: Mapped[float] = mapped_column(default=0.0)
    content_digest: Mapped[str | None] = mapped_column(String(64))
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The earlier idea a near-duplicate resembles (shown to the author while that idea is public).
    similar_idea_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "content_digest"),
        Index(None, "town_id", "created_at"),
    )


class ModerationTerm(IdMixin, CreatedAtMixin, Base):
    """A word a town adds to the built-in lists (same syntax as a line of `wordlists/*.txt`)."""

    __tablename__ = "moderation_terms"

    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("town_id", "term"),)


class ModerationAppeal(IdMixin, CreatedAtMixin, Base):
    """An author's request for a second look at a decision that took their contribution off the site.

    One per decision (the unique constraint); open until a moderator of the town decides on the contribution.
    """

    __tablename__ = "moderation_appeals"

    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("moderation_decisions.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(enum_column(SubjectKind, check="known_subject_type"))
    subject_id: Mapped[uuid.UUID]
    town_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("towns.id", ondelete="RESTRICT"))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[str | None] = mapped_column(enum_column(AppealResolution, check="known_resolution"))

    __table_args__ = (
        UniqueConstraint("decision_id"),
        CheckConstraint("(resolved_at IS NULL) = (resolution IS NULL)", name="resolved_with_resolution"),
        Index(None, "town_id", "resolved_at"),
        Index(None, "subject_type", "subject_id"),
        Index(None, "author_id"),
    )
