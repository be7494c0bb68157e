"""Why a contribution stands where it stands: shown to its author and to the town's moderators."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.ideas.models import Idea, Lifecycle
from service.kit.lookup import pair_in_keys, pairs
from service.moderation.models import ModerationDecision, SubjectKey, SubjectKind
from service.moderation.policies import can_see_moderation
from service.moderation.subjects import Subject, load_subject


@dataclass(frozen=True)
class ModerationStatus:
    subject: Subject
    last_decision: ModerationDecision | None


async def moderation_status(
    session: AsyncSession, viewer: Viewer, *, kind: SubjectKind, subject_id: uuid.UUID
) -> ModerationStatus | None:
    """None unless the viewer wrote the contribution or moderates its town (nobody else learns it exists)."""
    viewer.require_person()
    subject = await load_subject(session, kind, subject_id)
    if subject is None or not can_see_moderation(viewer, author_id=subject.author_id, town_id=subject.town_id):
        return None
    last = await session.scalar(
        select(ModerationDecision)
        .where(ModerationDecision.subject_type == kind.value, ModerationDecision.subject_id == subject_id)
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
        .limit(1)
    )
    return ModerationStatus(subject=subject, last_decision=last)


async def latest_decisions(session: AsyncSession, keys: Sequence[SubjectKey]) -> dict[SubjectKey, ModerationDecision]:
    """The most recent decision on each contribution that has one, in one statement.

    Callers decide who may see it (`policies.can_see_moderation`).
    """
    return {key: shown.decision for key, shown in (await shown_decisions(session, keys)).items()}


@dataclass(frozen=True)
class ShownDecision:
    decision: ModerationDecision
    # For a near-duplicate: the idea it resembles, only while that idea is published.
    similar_idea: Idea | None


async def shown_decisions(session: AsyncSession, keys: Sequence[SubjectKey]) -> dict[SubjectKey, ShownDecision]:
    """The most recent decision on each contribution and the public idea it names, in one statement (for a
    dataloader). Callers decide who may see it (`policies.can_see_moderation`)."""
    if not keys:
        return {}
    rows = await session.execute(_SHOWN_DECISIONS, pairs(keys))
    return {
        (SubjectKind(decision.subject_type), decision.subject_id): ShownDecision(decision, idea)
        for decision, idea in rows
    }


_SHOWN_DECISIONS = (
    select(ModerationDecision, Idea)
    .outerjoin(Idea, and_(Idea.id == ModerationDecision.similar_idea_id, Idea.lifecycle == Lifecycle.PUBLISHED.value))
    .where(pair_in_keys(ModerationDecision.subject_type, ModerationDecision.subject_id))
    .ext(distinct_on(ModerationDecision.subject_type, ModerationDecision.subject_id))
    .order_by(
        ModerationDecision.subject_type,
        ModerationDecision.subject_id,
        ModerationDecision.created_at.desc(),
        ModerationDecision.id.desc(),
    )
)
