"""Human decisions on ideas and comments: publish, reject, hide, restore — each audited and reversible."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.errors import ErrorCode, NotAuthenticated, NotFound, PermissionDenied, UserError
from service.ideas.models import Lifecycle
from service.ideas.validation import clean_text
from service.moderation.journal import Entry, state, store
from service.moderation.models import Outcome, SubjectKind
from service.moderation.notices import tell_author
from service.moderation.policies import can_moderate, moderates_somewhere
from service.moderation.subjects import Subject, load_subject, move, resolve_reports

MAX_REASON_LENGTH = 1000


class Decision(StrEnum):
    PUBLISH = "publish"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"


# From which states each decision applies, and where it leads. Publishing a published contribution confirms
# it (and dismisses its reports); restore undoes a rejection or a hiding.
TRANSITIONS: dict[Decision, tuple[frozenset[Lifecycle], Lifecycle]] = {
    Decision.PUBLISH: (frozenset({Lifecycle.PENDING, Lifecycle.PUBLISHED}), Lifecycle.PUBLISHED),
    Decision.REJECT: (frozenset({Lifecycle.PENDING}), Lifecycle.REJECTED),
    Decision.HIDE: (frozenset({Lifecycle.PUBLISHED}), Lifecycle.HIDDEN),
    Decision.RESTORE: (frozenset({Lifecycle.HIDDEN, Lifecycle.REJECTED}), Lifecycle.PUBLISHED),
}

OUTCOMES = {
    Decision.PUBLISH: Outcome.PUBLISH,
    Decision.REJECT: Outcome.REJECT,
    Decision.HIDE: Outcome.HIDE,
    Decision.RESTORE: Outcome.RESTORE,
}

LIFECYCLE_NAMES = {
    Lifecycle.PENDING: "noch in Prüfung",
    Lifecycle.PUBLISHED: "veröffentlicht",
    Lifecycle.REJECTED: "abgelehnt",
    Lifecycle.HIDDEN: "ausgeblendet",
    Lifecycle.WITHDRAWN: "zurückgezogen",
}

DECISION_NAMES = {
    Decision.PUBLISH: "veröffentlicht",
    Decision.REJECT: "abgelehnt",
    Decision.HIDE: "ausgeblendet",
    Decision.RESTORE: "wiederhergestellt",
}


def _reason(value: str) -> str:
    text = clean_text(value, field="reason")
    if not 1 <= len(text) <= MAX_REASON_LENGTH:
        raise UserError(
            ErrorCode.MODERATION_REASON_LENGTH,
            f"Bitte begründen Sie die Entscheidung (1 bis {MAX_REASON_LENGTH} Zeichen).",
            field="reason",
        )
    return text


async def _subject(session: AsyncSession, viewer: Viewer, kind: SubjectKind, subject_id: uuid.UUID) -> Subject:
    subject = await load_subject(session, kind, subject_id, lock=True)
    if subject is None:
        if kind is SubjectKind.IDEA:
            raise NotFound(ErrorCode.UNKNOWN_IDEA, "Diese Idee gibt es nicht (mehr).", field="subjectId")
        raise NotFound(ErrorCode.UNKNOWN_COMMENT, "Diesen Kommentar gibt es nicht.", field="subjectId")
    if not can_moderate(viewer, subject.town_id):
        raise PermissionDenied("Beiträge dieser Stadt moderieren nur deren Moderatorinnen und Moderatoren.")
    return subject


def _check_transition(subject: Subject, decision: Decision) -> Lifecycle:
    sources, target = TRANSITIONS[decision]
    if subject.lifecycle not in sources:
        raise UserError(
            ErrorCode.DECISION_NOT_APPLICABLE,
            f"Der Beitrag ist {LIFECYCLE_NAMES[subject.lifecycle]} und kann nicht {DECISION_NAMES[decision]} werden.",
            field="decision",
        )
    return target


async def moderate_submission(
    session: AsyncSession,
    viewer: Viewer,
    *,
    kind: SubjectKind,
    subject_id: uuid.UUID,
    decision: Decision,
    reason: str,
) -> Subject:
    """A moderator's decision: audited with before and after, open reports resolved, the author notified.

    Only moderators and admins of the contribution's town (or region admins) may decide; anyone else is
    refused before anything is read about the contribution beyond its town.
    """
    if not viewer.is_authenticated:
        raise NotAuthenticated
    if not moderates_somewhere(viewer):
        raise PermissionDenied("Beiträge moderieren nur Moderatorinnen und Moderatoren.")
    note = _reason(reason)
    subject = await _subject(session, viewer, kind, subject_id)
    target = _check_transition(subject, decision)
    before = state(subject)
    resolved = await resolve_reports(session, subject)
    await move(session, subject, target)
    await session.flush()
    await session.refresh(subject.row)
    outcome = OUTCOMES[decision]
    entry = Entry(outcome, [], before, state(subject), note=note, extra={"resolved_reports": resolved})
    await store(session, subject, viewer, entry)
    tell_author(session, subject, outcome, reasons=[], note=note)
    return subject
