"""Batch reads for dataloaders: one statement per batch, visibility applied by the caller's viewer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.ideas.models import Comment, Idea, OfficialAnswer, Support
from service.ideas.policies import comment_visible_to, idea_visible_to

COMMENTS_PER_IDEA = 200


async def ideas_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer) -> dict[uuid.UUID, Idea]:
    rows = await session.scalars(select(Idea).where(Idea.id.in_(ids), idea_visible_to(viewer)))
    return {idea.id: idea for idea in rows}


async def comments_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, Comment]:
    rows = await session.scalars(
        select(Comment)
        .join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.id.in_(ids), comment_visible_to(viewer), idea_visible_to(viewer))
    )
    return {comment.id: comment for comment in rows}


async def supported_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, bool]:
    rows = await session.scalars(
        select(Support.idea_id).where(Support.user_id == user_id, Support.idea_id.in_(idea_ids))
    )
    return dict.fromkeys(rows, True)


async def comments_by_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, list[Comment]]:
    """Visible comments per idea, oldest first, at most COMMENTS_PER_IDEA each (one statement for the batch)."""
    position = func.row_number().over(partition_by=Comment.idea_id, order_by=(Comment.created_at, Comment.id))
    ranked = (
        select(Comment, position.label("position"))
        .where(Comment.idea_id.in_(idea_ids), comment_visible_to(viewer))
        .subquery()
    )
    numbered = select(Comment).join(ranked, ranked.c.id == Comment.id).where(ranked.c.position <= COMMENTS_PER_IDEA)
    grouped: dict[uuid.UUID, list[Comment]] = {idea_id: [] for idea_id in idea_ids}
    for comment in await session.scalars(numbered.order_by(Comment.created_at, Comment.id)):
        grouped[comment.idea_id].append(comment)
    return grouped


async def answers_by_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OfficialAnswer]]:
    rows = await session.scalars(
        select(OfficialAnswer)
        .where(OfficialAnswer.idea_id.in_(idea_ids))
        .order_by(OfficialAnswer.created_at, OfficialAnswer.id)
    )
    grouped: dict[uuid.UUID, list[OfficialAnswer]] = {idea_id: [] for idea_id in idea_ids}
    for answer in rows:
        grouped[answer.idea_id].append(answer)
    return grouped
