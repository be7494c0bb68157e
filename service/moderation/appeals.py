"""Appeals: the author of a rejected or hidden contribution asks the town's moderators for a second look.

One appeal per decision (a unique constraint); it joins the moderation queue until a moderator decides on the
contribution (`decisions.moderate_submission`): publishing or restoring it reverses the decision, UPHOLD (or any
decision that keeps it off the site) upholds it. Either way the author is told.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Viewer
from service.ideas.errors import IdeaErrorCode
from service.ideas.models import Lifecycle
from service.ideas.policies import official_town_ids
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.kit.lookup import pair_in_keys, pairs
from service.kit.text import clean_text
from service.moderation.errors import ModerationErrorCode
from service.moderation.models import AppealResolution, ModerationAppeal, Outcome, SubjectKey, SubjectKind
from service.moderation.status import latest_decisions
from service.moderation.subjects import Subject, load_subject

MAX_APPEAL_LENGTH = 2000
# Decisions that took a contribution off the site (or kept it off): those an author may ask to look at again.
APPEALABLE = frozenset({Outcome.REJECT, Outcome.HIDE})


def _sees_unpublished(viewer: Viewer, town_id: uuid.UUID) -> bool:
    towns = official_town_ids(viewer)
    return towns is None or town_id in towns


def _text(value: str) -> str:
    text = clean_text(value, field="text")
    if not 1 <= len(text) <= MAX_APPEAL_LENGTH:
        raise UserError(
            ModerationErrorCode.APPEAL_TEXT_LENGTH,
            f"Bitte schreiben Sie, warum die Moderation noch einmal prüfen soll (1 bis {MAX_APPEAL_LENGTH} Zeichen).",
            field="text",
        )
    return text


async def appeal_decision(
    session: AsyncSession, viewer: Viewer, *, kind: SubjectKind, subject_id: uuid.UUID, text: str
) -> ModerationAppeal:
    """The author's appeal against the last decision on their contribution; audited, queued for moderators.

    The town's officials, who see the contribution, are refused; to everyone else but the author it does not
    exist (as for every unpublished contribution).
    """
    author_id = viewer.require_person()
    clean = _text(text)
    subject = await load_subject(session, kind, subject_id, lock=True)
    if subject is not None and subject.author_id != author_id and _sees_unpublished(viewer, subject.town_id):
        raise PermissionDenied("Einspruch gegen eine Entscheidung legt nur ein, wer den Beitrag geschrieben hat.")
    if subject is None or subject.author_id != author_id:
        if kind is SubjectKind.IDEA:
            raise NotFound(IdeaErrorCode.UNKNOWN_IDEA, "Diese Idee gibt es nicht (mehr).", field="subjectId")
        raise NotFound(IdeaErrorCode.UNKNOWN_COMMENT, "Diesen Kommentar gibt es nicht.", field="subjectId")
    decision = (await latest_decisions(session, [(kind, subject_id)])).get((kind, subject_id))
    if decision is not None and decision.outcome == Outcome.UPHOLD.value:
        raise UserError(
            ModerationErrorCode.ALREADY_APPEALED,
            "Ihr Einspruch wurde bereits geprüft; die Moderation bleibt bei ihrer Entscheidung.",
            field="subjectId",
        )
    if (
        decision is None
        or Outcome(decision.outcome) not in APPEALABLE
        or subject.lifecycle not in {Lifecycle.REJECTED, Lifecycle.HIDDEN}
    ):
        raise UserError(
            ModerationErrorCode.NOTHING_TO_APPEAL,
            "Einspruch einlegen kann man gegen eine Ablehnung oder Ausblendung; für diesen Beitrag gilt keine.",
            field="subjectId",
        )
    appeal_id = await session.scalar(
        insert(ModerationAppeal)
        .values(
            id=uuid.uuid4(),
            decision_id=decision.id,
            subject_type=kind.value,
            subject_id=subject_id,
            town_id=subject.town_id,
            author_id=author_id,
            text=clean,
        )
        .on_conflict_do_nothing(index_elements=[ModerationAppeal.decision_id])
        .returning(ModerationAppeal.id)
    )
    if appeal_id is None:
        raise UserError(
            ModerationErrorCode.ALREADY_APPEALED,
            "Gegen diese Entscheidung haben Sie bereits Einspruch eingelegt; je Entscheidung ist das einmal möglich.",
            field="subjectId",
        )
    record(
        session,
        viewer,
        action="moderation.appealed",
        subject_type=kind.value,
        subject_id=subject_id,
        town_id=subject.town_id,
        reason="Einspruch der Autorin oder des Autors",
        before={"lifecycle": subject.lifecycle.value, "decision": str(decision.id)},
        after={"appeal": str(appeal_id)},
    )
    appeal = await session.get(ModerationAppeal, appeal_id)
    assert appeal is not None  # noqa: S101 - inserted above
    return appeal


async def open_appeal(session: AsyncSession, subject: Subject) -> ModerationAppeal | None:
    """The contribution's appeal waiting for a moderator, if any (at most one: one per decision, and a decision
    on the contribution resolves it)."""
    found: ModerationAppeal | None = await session.scalar(
        select(ModerationAppeal)
        .where(
            ModerationAppeal.subject_type == subject.kind.value,
            ModerationAppeal.subject_id == subject.id,
            ModerationAppeal.resolved_at.is_(None),
        )
        .order_by(ModerationAppeal.created_at.desc())
        .limit(1)
    )
    return found


async def resolve_appeal(
    session: AsyncSession, appeal: ModerationAppeal, viewer: Viewer, resolution: AppealResolution
) -> None:
    appeal.resolved_at = func.now()
    appeal.resolved_by_id = viewer.user_id
    appeal.resolution = resolution.value
    await session.flush()


_OPEN_APPEALS = select(ModerationAppeal).where(
    pair_in_keys(ModerationAppeal.subject_type, ModerationAppeal.subject_id), ModerationAppeal.resolved_at.is_(None)
)


async def open_appeals(session: AsyncSession, keys: Sequence[SubjectKey]) -> dict[SubjectKey, ModerationAppeal]:
    """Open appeals of contributions, in one statement (for the queue's dataloader; the queue checked access)."""
    if not keys:
        return {}
    rows = await session.scalars(_OPEN_APPEALS, pairs(keys))
    return {(SubjectKind(row.subject_type), row.subject_id): row for row in rows}
