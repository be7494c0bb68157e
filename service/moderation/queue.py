"""The moderation queue of a town: contributions held for a human and contributions with open reports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Select,
    String,
    and_,
    any_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from service.auth.viewer import Viewer
from service.errors import NotAuthenticated, PermissionDenied
from service.ideas.models import Comment, Idea, Lifecycle, Report
from service.moderation.models import SubjectKind
from service.moderation.policies import can_moderate
from service.moderation.reasons import Reason
from service.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid

_CURSOR = "queue"
Row = TypeVar("Row", Idea, Comment)
_OPEN_TO_REPORTS = (Lifecycle.PENDING.value, Lifecycle.PUBLISHED.value, Lifecycle.HIDDEN.value)


@dataclass(frozen=True)
class QueueEntry:
    kind: SubjectKind
    subject: Idea | Comment
    queued_at: datetime
    reporters: int
    report_reasons: tuple[str, ...]

    @property
    def held_at(self) -> datetime | None:
        return self.subject.held_at if self.subject.lifecycle == Lifecycle.PENDING.value else None

    @property
    def reasons(self) -> list[str]:
        reasons = list(self.subject.moderation_reasons)
        if self.reporters and Reason.REPORTED.value not in reasons:
            reasons.append(Reason.REPORTED.value)
        return reasons

    @property
    def cursor(self) -> str:
        return encode_cursor(_CURSOR, self.queued_at.isoformat(), self.kind.value, str(self.subject.id))


@dataclass(frozen=True)
class QueuePage:
    entries: Sequence[QueueEntry]
    has_next_page: bool


def _open_reports(column: InstrumentedAttribute[uuid.UUID | None], town_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(
            column.label("subject_id"),
            func.min(Report.created_at).label("first_reported_at"),
            func.count(func.distinct(Report.reporter_id)).label("reporters"),
            func.array_agg(func.distinct(Report.reason)).label("report_reasons"),
        )
        .where(Report.town_id == town_id, column.is_not(None), Report.resolved_at.is_(None))
        .group_by(column)
    )


def _entries(
    kind: SubjectKind, model: type[Idea] | type[Comment], town_id: uuid.UUID, reason: Reason | None
) -> Select[*tuple[Any, ...]]:
    column = Report.idea_id if kind is SubjectKind.IDEA else Report.comment_id
    reports = _open_reports(column, town_id).subquery()
    pending = model.lifecycle == Lifecycle.PENDING.value
    held = and_(pending, model.held_at.is_not(None))
    reported = and_(reports.c.subject_id.is_not(None), model.lifecycle.in_(_OPEN_TO_REPORTS))
    held_at = case((held, model.held_at), else_=null())
    statement = (
        select(
            literal(kind.value, String).label("kind"),
            model.id.label("id"),
            func.least(held_at, reports.c.first_reported_at).label("queued_at"),
            func.coalesce(reports.c.reporters, 0).label("reporters"),
            func.coalesce(reports.c.report_reasons, cast(array([], type_=String), ARRAY(String))).label(
                "report_reasons"
            ),
        )
        .select_from(model)
        .outerjoin(reports, reports.c.subject_id == model.id)
        .where(model.town_id == town_id, or_(held, reported))
    )
    if reason is Reason.REPORTED:
        return statement.where(reported)
    if reason is not None:
        return statement.where(literal(reason.value, String) == any_(model.moderation_reasons))
    return statement


async def _rows(session: AsyncSession, model: type[Row], ids: list[uuid.UUID]) -> dict[uuid.UUID, Row]:
    if not ids:
        return {}
    found = await session.scalars(select(model).where(model.id.in_(ids)))
    return {row.id: row for row in found}


async def moderation_queue(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    first: int,
    after: str | None = None,
    reason: Reason | None = None,
) -> QueuePage:
    """Oldest first, by when an entry came into the queue (held, or first reported). Three statements a page."""
    if not viewer.is_authenticated:
        raise NotAuthenticated
    if not can_moderate(viewer, town_id):
        raise PermissionDenied("Die Moderationsliste sehen nur die Moderatorinnen und Moderatoren der Stadt.")
    check_page_size(first)
    entries = union_all(
        _entries(SubjectKind.IDEA, Idea, town_id, reason), _entries(SubjectKind.COMMENT, Comment, town_id, reason)
    ).subquery()
    statement = select(entries).order_by(entries.c.queued_at, entries.c.kind, entries.c.id).limit(first + 1)
    if after is not None:
        queued_at, kind, subject_id = decode_cursor(_CURSOR, after, 3)
        position = (parse_time(queued_at), kind, parse_uuid(subject_id))
        statement = statement.where(tuple_(entries.c.queued_at, entries.c.kind, entries.c.id) > position)
    found = (await session.execute(statement)).all()
    page = found[:first]
    ideas = await _rows(session, Idea, [row.id for row in page if row.kind == SubjectKind.IDEA.value])
    comments = await _rows(session, Comment, [row.id for row in page if row.kind == SubjectKind.COMMENT.value])
    rows: dict[uuid.UUID, Idea | Comment] = {**ideas, **comments}
    return QueuePage(
        entries=[
            QueueEntry(
                kind=SubjectKind(row.kind),
                subject=rows[row.id],
                queued_at=row.queued_at,
                reporters=row.reporters,
                report_reasons=tuple(sorted(row.report_reasons)),
            )
            for row in page
            if row.id in rows
        ],
        has_next_page=len(found) > first,
    )
