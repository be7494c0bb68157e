"""Ideas and comments seen the same way by moderation: text, town, author, lifecycle and its side effects."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.ideas import lifecycle_changed
from service.ideas.models import Comment, Idea, Lifecycle, Report
from service.moderation.models import SubjectKind

EXCERPT_LENGTH = 60

Row = TypeVar("Row", Idea, Comment)
# The model of each kind of contribution that moderation decides on.
MODELS: dict[SubjectKind, type[Idea] | type[Comment]] = {SubjectKind.IDEA: Idea, SubjectKind.COMMENT: Comment}


@dataclass
class Subject:
    kind: SubjectKind
    row: Idea | Comment

    @property
    def id(self) -> uuid.UUID:
        return self.row.id

    @property
    def town_id(self) -> uuid.UUID:
        return self.row.town_id

    @property
    def author_id(self) -> uuid.UUID:
        return self.row.author_id

    @property
    def created_at(self) -> datetime:
        return self.row.created_at

    @property
    def lifecycle(self) -> Lifecycle:
        return Lifecycle(self.row.lifecycle)

    @property
    def text(self) -> str:
        """What the checks read: every text its author wrote (an idea's title, body and image descriptions; a
        comment's body). A new text column of the model belongs here, or is marked `written_by` in the model."""
        if isinstance(self.row, Idea):
            return "\n".join([self.row.title, self.row.body, *self.row.image_alt_texts])
        return self.row.body

    @property
    def digest(self) -> str:
        """Identifies this version of the text: an edit makes a new version, which is checked again."""
        return hashlib.sha256(f"{self.kind.value}\n{self.text}".encode()).hexdigest()

    @property
    def description(self) -> str:
        """How notifications name the contribution, in German."""
        if isinstance(self.row, Idea):
            return f"Ihre Idee „{self.row.title}“"
        body = " ".join(self.row.body.split())
        excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1].rstrip() + "…"
        return f"Ihr Kommentar „{excerpt}“"


async def _fetch(session: AsyncSession, model: type[Row], subject_id: uuid.UUID, *, lock: bool) -> Row | None:
    statement = select(model).where(model.id == subject_id).execution_options(populate_existing=True)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def load_subject(
    session: AsyncSession, kind: SubjectKind, subject_id: uuid.UUID, *, lock: bool = False
) -> Subject | None:
    """The idea or comment, fresh from the database; `lock` takes the row lock (`SELECT … FOR UPDATE`)."""
    if kind is SubjectKind.IDEA:
        idea = await _fetch(session, Idea, subject_id, lock=lock)
        return Subject(kind, idea) if idea is not None else None
    comment = await _fetch(session, Comment, subject_id, lock=lock)
    return Subject(kind, comment) if comment is not None else None


async def move(session: AsyncSession, subject: Subject, lifecycle: Lifecycle) -> None:
    """Change the lifecycle; the idea's count of published comments follows in the same statement order.

    The caller holds the row lock, so the count changes exactly once per transition.
    """
    before = subject.lifecycle
    if before is lifecycle:
        return
    subject.row.lifecycle = lifecycle.value
    if lifecycle is Lifecycle.PUBLISHED and subject.row.published_at is None:
        subject.row.published_at = func.now()
    if isinstance(subject.row, Comment):
        change = int(lifecycle is Lifecycle.PUBLISHED) - int(before is Lifecycle.PUBLISHED)
        if change:
            await session.execute(
                update(Idea).where(Idea.id == subject.row.idea_id).values(comment_count=Idea.comment_count + change)
            )
    # Last, after every row lock: the event log's lock is always taken after them (no lock-order deadlock).
    await lifecycle_changed(session, subject.row, before, lifecycle)


async def resolve_reports(session: AsyncSession, subject: Subject) -> int:
    """Mark the open reports on the contribution resolved; returns how many there were."""
    column = Report.idea_id if subject.kind is SubjectKind.IDEA else Report.comment_id
    resolved = await session.execute(
        update(Report)
        .where(column == subject.id, Report.resolved_at.is_(None))
        .values(resolved_at=func.now())
        .returning(Report.id)
    )
    return len(resolved.all())


async def open_reporters(session: AsyncSession, subject: Subject) -> int:
    """How many different people reported the contribution and are still waiting for a decision."""
    column = Report.idea_id if subject.kind is SubjectKind.IDEA else Report.comment_id
    count = await session.scalar(
        select(func.count(func.distinct(Report.reporter_id))).where(column == subject.id, Report.resolved_at.is_(None))
    )
    return int(count or 0)
