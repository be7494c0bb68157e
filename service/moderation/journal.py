"""Every decision, automated or human, is stored with its reasons and appended to the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Viewer
from service.moderation.models import ModerationDecision, Outcome
from service.moderation.subjects import Subject

ACTIONS = {
    Outcome.PUBLISH: "moderation.published",
    Outcome.HOLD: "moderation.held",
    Outcome.REJECT: "moderation.rejected",
    Outcome.HIDE: "moderation.hidden",
    Outcome.RESTORE: "moderation.restored",
    Outcome.DISMISS_REPORTS: "moderation.reports_dismissed",
    Outcome.UPHOLD: "moderation.upheld",
}


@dataclass(frozen=True)
class Entry:
    outcome: Outcome
    reasons: list[str]
    before: dict[str, Any]
    after: dict[str, Any]
    score: float = 0.0
    note: str = ""
    digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    similar: uuid.UUID | None = None


def state(subject: Subject) -> dict[str, Any]:
    """The part of a contribution that decisions change, for the audit log's before and after."""
    return {"lifecycle": subject.lifecycle.value, "reasons": list(subject.row.moderation_reasons)}


async def store(session: AsyncSession, subject: Subject, actor: Viewer | None, entry: Entry) -> bool:
    """Store the decision and its audit entry; False (and nothing written) if this text was already decided."""
    statement = insert(ModerationDecision).values(
        subject_type=subject.kind.value,
        subject_id=subject.id,
        town_id=subject.town_id,
        automated=actor is None,
        outcome=entry.outcome.value,
        reasons=entry.reasons,
        score=entry.score,
        content_digest=entry.digest,
        decided_by_id=actor.user_id if actor else None,
        note=entry.note,
        similar_idea_id=entry.similar,
    )
    stored = await session.scalar(statement.on_conflict_do_nothing().returning(ModerationDecision.id))
    if stored is None:
        return False
    record(
        session,
        actor,
        action=ACTIONS[entry.outcome],
        subject_type=subject.kind.value,
        subject_id=subject.id,
        town_id=subject.town_id,
        reason=entry.note or ", ".join(entry.reasons),
        before=entry.before,
        after={**entry.after, **entry.extra},
    )
    return True
