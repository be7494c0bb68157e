"""The moderation queue of a town: contributions held for a human, with open reports, or with an open appeal."""

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
from service.ideas.models import Comment, Idea, Lifecycle, Report
from service.kit import lookup
from service.kit.errors import PermissionDenied
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, parse_time, parse_uuid
from service.moderation.models import ModerationAppeal, SubjectKey, SubjectKind
from service.moderation.policies import can_moderate
from service.moderation.reasons import Reason

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
    appealed_at: datetime | None = None

    @property
    def held_at(self) -> datetime | None:
        return self.subject.held_at if self.subject.lifecycle == Lifecycle.PENDING.value else None

    @property
    def reasons(self) -> list[str]:
        reasons = list(self.subject.moderation_reasons)
        if self.reporters and Reason.REPORTED.value not in reasons:
            reasons.append(Reason.REPORTED.value)
        if self.appealed_at is not None:
            reasons.append(Reason.APPEALED.value)
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


def _open_appeals(kind: SubjectKind, town_id: uuid.UUID) -> Select[*tuple[Any, ...]]:
    return (
        select(
            ModerationAppeal.subject_id.label("subject_id"),
            func.min(ModerationAppeal.created_at).label("appealed_at"),
        )
        .where(
            ModerationAppeal.town_id == town_id,
            ModerationAppeal.subject_type == kind.value,
            ModerationAppeal.resolved_at.is_(None),
        )
        .group_by(ModerationAppeal.subject_id)
    )


def _entries(
    kind: SubjectKind, model: type[Idea] | type[Comment], town_id: uuid.UUID, reason: Reason | None
) -> Select[*tuple[Any, ...]]:
    column = Report.idea_id if kind is SubjectKind.IDEA else Report.comment_id
    reports = _open_reports(column, town_id).subquery()
    appeals = _open_appeals(kind, town_id).subquery()
    pending = model.lifecycle == Lifecycle.PENDING.value
    held = and_(pending, model.held_at.is_not(None))
    reported = and_(reports.c.subject_id.is_not(None), model.lifecycle.in_(_OPEN_TO_REPORTS))
    appealed = appeals.c.subject_id.is_not(None)
    held_at = case((held, model.held_at), else_=null())
    statement = (
        select(
            literal(kind.value, String).label("kind"),
            model.id.label("id"),
            func.least(held_at, reports.c.first_reported_at, appeals.c.appealed_at).label("queued_at"),
            func.coalesce(reports.c.reporters, 0).label("reporters"),
            func.coalesce(reports.c.report_reasons, cast(array([], type_=String), ARRAY(String))).label(
                "report_reasons"
            ),
            appeals.c.appealed_at.label("appealed_at"),
        )
        .select_from(model)
        .outerjoin(reports, reports.c.subject_id == model.id)
        .outerjoin(appeals, appeals.c.subject_id == model.id)
        .where(model.town_id == town_id, or_(held, reported, appealed))
    )
    if reason is Reason.REPORTED:
        return statement.where(reported)
    if reason is Reason.APPEALED:
        return statement.where(appealed)
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
    viewer.require_person()
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
                appealed_at=row.appealed_at,
            )
            for row in page
            if row.id in rows
        ],
        has_next_page=len(found) > first,
    )


@dataclass(frozen=True)
class OpenReport:
    """What a moderator reads of a report: reason, words and time, not who wrote it (see `open_reports`)."""

    reason: str
    text: str
    created_at: datetime


_OPEN_REPORTS = (
    select(Report.idea_id, Report.comment_id, Report.reason, Report.text, Report.created_at)
    .where(
        or_(lookup.key_in_keys(Report.idea_id, "ideas"), lookup.key_in_keys(Report.comment_id, "comments")),
        Report.resolved_at.is_(None),
    )
    .order_by(Report.created_at, Report.id)
)


async def open_reports(session: AsyncSession, keys: Sequence[SubjectKey]) -> dict[SubjectKey, list[OpenReport]]:
    """The open reports of contributions, oldest first, in one statement (for the queue's dataloader).

    Reporters stay anonymous to moderators: judging the contribution needs the reason and the words, not the
    person, and a reporter who could be named to the town (whose moderators may know the author) might not
    report at all. The reporter is kept in the database for the one-report-per-person rule and their own export.
    """
    found: dict[SubjectKey, list[OpenReport]] = {key: [] for key in keys}
    if not keys:
        return found
    ideas = lookup.keys((subject_id for kind, subject_id in found if kind is SubjectKind.IDEA), "ideas")
    comments = lookup.keys((subject_id for kind, subject_id in found if kind is SubjectKind.COMMENT), "comments")
    rows = await session.execute(_OPEN_REPORTS, ideas | comments)
    for idea_id, comment_id, reason, text, created_at in rows:
        key = (SubjectKind.IDEA, idea_id) if idea_id is not None else (SubjectKind.COMMENT, comment_id)
        if key in found:
            found[key].append(OpenReport(reason=reason, text=text, created_at=created_at))
    return found
