"""The events of ideas and comments, written where their state changes (moderation's `move`, withdrawing,
answering)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.log import EventType, forget_subjects, global_id, record
from service.ideas.models import Comment, Idea, Lifecycle


async def lifecycle_changed(session: AsyncSession, row: Idea | Comment, before: Lifecycle, after: Lifecycle) -> None:
    """Published: an event with its public facts; no longer published: a tombstone (only if it was public)."""
    if after is before:
        return
    if after is Lifecycle.PUBLISHED:
        if isinstance(row, Idea):
            await record(
                session,
                EventType.IDEA_PUBLISHED,
                town_id=row.town_id,
                subject_type="Idea",
                subject_id=row.id,
                data={"title": row.title, "strategyArea": global_id("StrategyArea", row.strategy_area_id)},
            )
        else:
            await record(
                session,
                EventType.COMMENT_PUBLISHED,
                town_id=row.town_id,
                subject_type="Comment",
                subject_id=row.id,
                data={"idea": global_id("Idea", row.idea_id)},
            )
        return
    if before is not Lifecycle.PUBLISHED:
        return
    if isinstance(row, Idea):
        gone = EventType.IDEA_WITHDRAWN if after is Lifecycle.WITHDRAWN else EventType.IDEA_REMOVED
        await record(session, gone, town_id=row.town_id, subject_type="Idea", subject_id=row.id)
        # Its comments are no longer public either.
        await forget_subjects(session, select(Comment.id).where(Comment.idea_id == row.id))
    else:
        await record(session, EventType.COMMENT_REMOVED, town_id=row.town_id, subject_type="Comment", subject_id=row.id)


async def idea_answered(session: AsyncSession, idea: Idea) -> None:
    """The town's official status and answer, public on the published idea."""
    await record(
        session,
        EventType.IDEA_ANSWERED,
        town_id=idea.town_id,
        subject_type="Idea",
        subject_id=idea.id,
        data={"officialStatus": (idea.official_status or "").upper(), "officialAnswer": idea.official_answer},
    )
