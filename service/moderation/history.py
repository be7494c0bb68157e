"""An author's record in a town, for the town's moderators deciding on one of their contributions: how many of
their ideas and comments are published, rejected or hidden, and the last decisions people made on them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Comment, Idea, Lifecycle
from service.kit.lookup import pair_in_keys, pairs
from service.moderation.models import ModerationDecision, SubjectKind

# (town id, author id)
AuthorKey = tuple[uuid.UUID, uuid.UUID]
LAST_DECISIONS = 5


@dataclass
class AuthorHistory:
    published: int = 0
    rejected: int = 0
    hidden: int = 0
    # Decisions by people (not the automated checks), newest first.
    decisions: list[ModerationDecision] = field(default_factory=list)


async def author_histories(session: AsyncSession, keys: Sequence[AuthorKey]) -> dict[AuthorKey, AuthorHistory]:
    """Each author's record in each town, in two statements (for the queue's dataloader; the queue checked access)."""
    found: dict[AuthorKey, AuthorHistory] = {key: AuthorHistory() for key in keys}
    if not keys:
        return found
    counts, decisions = _statements()
    wanted = pairs(found)
    for town_id, author_id, lifecycle, count in await session.execute(counts, wanted):
        setattr(found[(town_id, author_id)], lifecycle, count)
    for decision, town_id, author_id in (await session.execute(decisions, wanted)).all():
        found[(town_id, author_id)].decisions.append(decision)
    return found


@cache
def _statements() -> tuple[Select[Any], Select[Any]]:
    """The two statements, built once on first use (the key columns' types are known once the models are mapped:
    a foreign key takes its type from the column it names)."""
    # The ideas and comments of the wanted (town, author) pairs.
    contributions = union_all(
        *(
            select(model.id, model.town_id, model.author_id, model.lifecycle, literal(kind.value).label("kind")).where(
                pair_in_keys(model.town_id, model.author_id)
            )
            for model, kind in ((Idea, SubjectKind.IDEA), (Comment, SubjectKind.COMMENT))
        )
    ).subquery()

    counts = (
        select(contributions.c.town_id, contributions.c.author_id, contributions.c.lifecycle, func.count())
        .where(
            contributions.c.lifecycle.in_((Lifecycle.PUBLISHED.value, Lifecycle.REJECTED.value, Lifecycle.HIDDEN.value))
        )
        .group_by(contributions.c.town_id, contributions.c.author_id, contributions.c.lifecycle)
    )

    ranked = (
        select(
            ModerationDecision.id,
            contributions.c.town_id,
            contributions.c.author_id,
            func.row_number()
            .over(
                partition_by=(contributions.c.town_id, contributions.c.author_id),
                order_by=(ModerationDecision.created_at.desc(), ModerationDecision.id.desc()),
            )
            .label("newest"),
        )
        .join(
            contributions,
            and_(
                ModerationDecision.subject_id == contributions.c.id,
                ModerationDecision.subject_type == contributions.c.kind,
            ),
        )
        .where(ModerationDecision.automated.is_(False))
        .subquery()
    )

    decisions = (
        select(ModerationDecision, ranked.c.town_id, ranked.c.author_id)
        .join(ranked, ranked.c.id == ModerationDecision.id)
        .where(ranked.c.newest <= LAST_DECISIONS)
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
    )
    return counts, decisions
