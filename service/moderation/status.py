"""Why a contribution stands where it stands: shown to its author and to the town's moderators."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.errors import NotAuthenticated
from service.moderation.models import ModerationDecision, SubjectKind
from service.moderation.policies import can_moderate
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
    if subject is None or not (subject.author_id == viewer.user_id or can_moderate(viewer, subject.town_id)):
        return None
    last = await session.scalar(
        select(ModerationDecision)
        .where(ModerationDecision.subject_type == kind.value, ModerationDecision.subject_id == subject_id)
        .order_by(ModerationDecision.created_at.desc(), ModerationDecision.id.desc())
        .limit(1)
    )
    return ModerationStatus(subject=subject, last_decision=last)
