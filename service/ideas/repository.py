"""Batch reads for dataloaders: one statement per batch, visibility applied by the caller's viewer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.ideas.models import Comment, Idea, OfficialAnswer, Support
from service.ideas.policies import comment_visible_to, idea_visible_to
from service.kit.lookup import by_key, grouped, key_in_keys, keys

COMMENTS_PER_IDEA = 200
_ANSWERS_BY_IDEA_IDS = (
    select(OfficialAnswer)
    .where(key_in_keys(OfficialAnswer.idea_id))
    .order_by(OfficialAnswer.created_at, OfficialAnswer.id)
)
_id, _idea_id = attrgetter("id"), attrgetter("idea_id")


async def ideas_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer) -> dict[uuid.UUID, Idea]:
    rows = await session.scalars(select(Idea).where(key_in_keys(Idea.id), idea_visible_to(viewer)), keys(ids))
    return by_key(rows, _id)


async def comments_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, Comment]:
    rows = await session.scalars(
        select(Comment)
        .join(Idea, Idea.id == Comment.idea_id)
        .where(key_in_keys(Comment.id), comment_visible_to(viewer), idea_visible_to(viewer)),
        keys(ids),
    )
    return by_key(rows, _id)


async def supported_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, bool]:
    rows = await session.scalars(
        select(Support.idea_id).where(Support.user_id == user_id, key_in_keys(Support.idea_id)), keys(idea_ids)
    )
    return dict.fromkeys(rows, True)


async def comments_by_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID], *, viewer: Viewer
) -> dict[uuid.UUID, list[Comment]]:
    """Visible comments per idea, oldest first, at most COMMENTS_PER_IDEA each (one statement for the batch)."""
    position = func.row_number().over(partition_by=Comment.idea_id, order_by=(Comment.created_at, Comment.id))
    ranked = (
        select(Comment, position.label("position"))
        .where(key_in_keys(Comment.idea_id), comment_visible_to(viewer))
        .subquery()
    )
    numbered = select(Comment).join(ranked, ranked.c.id == Comment.id).where(ranked.c.position <= COMMENTS_PER_IDEA)
    rows = await session.scalars(numbered.order_by(Comment.created_at, Comment.id), keys(idea_ids))
    return grouped(idea_ids, rows, _idea_id)


async def answers_by_idea_ids(
    session: AsyncSession, idea_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[OfficialAnswer]]:
    return grouped(idea_ids, await session.scalars(_ANSWERS_BY_IDEA_IDS, keys(idea_ids)), _idea_id)
