"""Work still pending in the database, for the periodic sweep: a lost wake-up delays moderation, never skips it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Comment, Idea, Lifecycle, Report
from service.kit.jobs import Job
from service.moderation.jobs import CHECK, HIDE_REPORTED, Subject
from service.moderation.models import DEFAULT_REPORT_THRESHOLD, SubjectKind, TownModerationSettings

BATCH = 500


def check_job(kind: SubjectKind, subject_id: uuid.UUID) -> Job:
    """The key collapses repeated sweeps into one queued job while the first one waits."""
    return CHECK(Subject(kind, subject_id))


async def unchecked_submissions(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Pending ideas and comments whose current text has no automated decision yet, oldest first."""
    cutoff = func.now() - older_than
    ideas = await session.scalars(
        select(Idea.id)
        .where(
            Idea.lifecycle == Lifecycle.PENDING.value,
            or_(Idea.checked_at.is_(None), Idea.checked_at < Idea.updated_at),
            Idea.created_at < cutoff,
            Idea.updated_at < cutoff,
        )
        .order_by(Idea.created_at)
        .limit(BATCH)
    )
    comments = await session.scalars(
        select(Comment.id)
        .where(Comment.lifecycle == Lifecycle.PENDING.value, Comment.checked_at.is_(None), Comment.created_at < cutoff)
        .order_by(Comment.created_at)
        .limit(BATCH)
    )
    return [
        *(check_job(SubjectKind.IDEA, idea_id) for idea_id in ideas),
        *(check_job(SubjectKind.COMMENT, comment_id) for comment_id in comments),
    ]


async def unhandled_reports(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Published contributions with open reports from at least the town's threshold of people."""
    cutoff = func.now() - older_than
    threshold = func.coalesce(TownModerationSettings.report_threshold, DEFAULT_REPORT_THRESHOLD)
    lifecycle = func.coalesce(Idea.lifecycle, Comment.lifecycle)
    found = await session.execute(
        select(Report.idea_id, Report.comment_id)
        .outerjoin(TownModerationSettings, TownModerationSettings.town_id == Report.town_id)
        .outerjoin(Idea, Idea.id == Report.idea_id)
        .outerjoin(Comment, Comment.id == Report.comment_id)
        .where(Report.resolved_at.is_(None), lifecycle == Lifecycle.PUBLISHED.value)
        .group_by(Report.idea_id, Report.comment_id, threshold)
        .having(and_(func.count(func.distinct(Report.reporter_id)) >= threshold, func.max(Report.created_at) < cutoff))
        .limit(BATCH)
    )
    return [HIDE_REPORTED(Subject.of(idea_id, comment_id)) for idea_id, comment_id in found]
