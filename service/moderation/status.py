"""Why a contribution stands where it stands: shown to its author and to the town's moderators."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.errors import NotAuthenticated
from service.moderation.models import ModerationDecision, SubjectKind
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
    if not viewer.is_authenticated:
        raise NotAuthenticated
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


SubjectKey = tuple[SubjectKind, uuid.UUID]


async def latest_decisions(session: AsyncSession, keys: Sequence[SubjectKey]) -> dict[SubjectKey, ModerationDecision]:
    """The most recent decision on each contribution that has one, in one statement (for a dataloader).

    Callers decide who may see it (`policies.can_see_moderation`).
    """
    if not keys:
        return {}
    rows = await session.scalars(
        select(ModerationDecision)
        .where(
            ModerationDecision.subject_type.in_({kind.value for kind, _ in keys}),
            ModerationDecision.subject_id.in_({subject_id for _, subject_id in keys}),
        )
        .ext(distinct_on(ModerationDecision.subject_type, ModerationDecision.subject_id))
        .order_by(
            ModerationDecision.subject_type,
            ModerationDecision.subject_id,
            ModerationDecision.created_at.desc(),
            ModerationDecision.id.desc(),
        )
    )
    wanted = set(keys)
    found = {(SubjectKind(row.subject_type), row.subject_id): row for row in rows}
    return {key: row for key, row in found.items() if key in wanted}
