"""Human decisions on ideas and comments — each audited, notified and reversible by another decision."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.ideas.errors import IdeaErrorCode
from service.ideas.models import Lifecycle
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.kit.text import clean_text
from service.moderation.appeals import open_appeal, resolve_appeal
from service.moderation.errors import ModerationErrorCode
from service.moderation.journal import Entry, state, store
from service.moderation.models import AppealResolution, Outcome, SubjectKind
from service.moderation.notices import tell_author
from service.moderation.policies import can_moderate, moderates_somewhere
from service.moderation.subjects import Subject, load_subject, move, open_reporters, resolve_reports

MAX_REASON_LENGTH = 1000


class Decision(StrEnum):
    PUBLISH = "publish"
    REJECT = "reject"
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS_REPORTS = "dismiss_reports"
    UPHOLD = "uphold"


# From which states each decision applies, and where it leads. Every state a decision leads to is the source of
# another that undoes it (`REVERSALS`). PUBLISH and RESTORE both make a contribution public; RESTORE says that
# it was public before. DISMISS_REPORTS keeps a published contribution as it is and closes its reports; UPHOLD
# answers an appeal by keeping the decision appealed against.
TRANSITIONS: dict[Decision, tuple[frozenset[Lifecycle], Lifecycle | None]] = {
    Decision.PUBLISH: (frozenset({Lifecycle.PENDING, Lifecycle.REJECTED, Lifecycle.HIDDEN}), Lifecycle.PUBLISHED),
    Decision.REJECT: (frozenset({Lifecycle.PENDING, Lifecycle.PUBLISHED, Lifecycle.HIDDEN}), Lifecycle.REJECTED),
    Decision.HIDE: (frozenset({Lifecycle.PUBLISHED, Lifecycle.REJECTED}), Lifecycle.HIDDEN),
    Decision.RESTORE: (frozenset({Lifecycle.HIDDEN, Lifecycle.REJECTED}), Lifecycle.PUBLISHED),
    Decision.DISMISS_REPORTS: (frozenset({Lifecycle.PUBLISHED}), None),
    Decision.UPHOLD: (frozenset({Lifecycle.REJECTED, Lifecycle.HIDDEN}), None),
}

# The decision that undoes a decision taken from a state: back to that state where it is a settled one; from
# pending (which no decision returns to) to the opposite of what was decided.
REVERSALS: dict[tuple[Decision, Lifecycle], Decision] = {
    (Decision.PUBLISH, Lifecycle.PENDING): Decision.REJECT,
    (Decision.PUBLISH, Lifecycle.REJECTED): Decision.REJECT,
    (Decision.PUBLISH, Lifecycle.HIDDEN): Decision.HIDE,
    (Decision.REJECT, Lifecycle.PENDING): Decision.PUBLISH,
    (Decision.REJECT, Lifecycle.PUBLISHED): Decision.RESTORE,
    (Decision.REJECT, Lifecycle.HIDDEN): Decision.HIDE,
    (Decision.HIDE, Lifecycle.PUBLISHED): Decision.RESTORE,
    (Decision.HIDE, Lifecycle.REJECTED): Decision.REJECT,
    (Decision.RESTORE, Lifecycle.HIDDEN): Decision.HIDE,
    (Decision.RESTORE, Lifecycle.REJECTED): Decision.REJECT,
    (Decision.DISMISS_REPORTS, Lifecycle.PUBLISHED): Decision.HIDE,
    (Decision.UPHOLD, Lifecycle.REJECTED): Decision.RESTORE,
    (Decision.UPHOLD, Lifecycle.HIDDEN): Decision.RESTORE,
}

OUTCOMES = {
    Decision.PUBLISH: Outcome.PUBLISH,
    Decision.REJECT: Outcome.REJECT,
    Decision.HIDE: Outcome.HIDE,
    Decision.RESTORE: Outcome.RESTORE,
    Decision.DISMISS_REPORTS: Outcome.DISMISS_REPORTS,
    Decision.UPHOLD: Outcome.UPHOLD,
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
    Decision.DISMISS_REPORTS: "von Meldungen freigesprochen",
    Decision.UPHOLD: "in seiner Entscheidung bestätigt",
}


def _reason(value: str) -> str:
    text = clean_text(value, field="reason")
    if not 1 <= len(text) <= MAX_REASON_LENGTH:
        raise UserError(
            ModerationErrorCode.MODERATION_REASON_LENGTH,
            f"Bitte begründen Sie die Entscheidung (1 bis {MAX_REASON_LENGTH} Zeichen).",
            field="reason",
        )
    return text


async def _subject(session: AsyncSession, viewer: Viewer, kind: SubjectKind, subject_id: uuid.UUID) -> Subject:
    subject = await load_subject(session, kind, subject_id, lock=True)
    if subject is None:
        if kind is SubjectKind.IDEA:
            raise NotFound(IdeaErrorCode.UNKNOWN_IDEA, "Diese Idee gibt es nicht (mehr).", field="subjectId")
        raise NotFound(IdeaErrorCode.UNKNOWN_COMMENT, "Diesen Kommentar gibt es nicht.", field="subjectId")
    if not can_moderate(viewer, subject.town_id):
        raise PermissionDenied("Beiträge dieser Stadt moderieren nur deren Moderatorinnen und Moderatoren.")
    return subject


def _check_transition(subject: Subject, decision: Decision) -> Lifecycle:
    sources, target = TRANSITIONS[decision]
    if subject.lifecycle not in sources:
        raise UserError(
            ModerationErrorCode.DECISION_NOT_APPLICABLE,
            f"Der Beitrag ist {LIFECYCLE_NAMES[subject.lifecycle]} und kann nicht {DECISION_NAMES[decision]} werden.",
            field="decision",
        )
    return target or subject.lifecycle


def _effective(subject: Subject, decision: Decision) -> Decision:
    """Older clients dismissed reports by publishing a published contribution; that still works and says so."""
    if decision is Decision.PUBLISH and subject.lifecycle is Lifecycle.PUBLISHED:
        return Decision.DISMISS_REPORTS
    return decision


async def moderate_submission(
    session: AsyncSession,
    viewer: Viewer,
    *,
    kind: SubjectKind,
    subject_id: uuid.UUID,
    decision: Decision,
    reason: str,
) -> Subject:
    """A moderator's decision: audited with before and after, open reports and an open appeal resolved, the
    author notified. PUBLISH on a published contribution is taken as DISMISS_REPORTS (what older clients sent).

    Only moderators and admins of the contribution's town (or region admins) may decide; anyone else is
    refused before anything is read about the contribution beyond its town.
    """
    viewer.require_person()
    if not moderates_somewhere(viewer):
        raise PermissionDenied("Beiträge moderieren nur Moderatorinnen und Moderatoren.")
    note = _reason(reason)
    subject = await _subject(session, viewer, kind, subject_id)
    legacy_dismissal = decision is Decision.PUBLISH and subject.lifecycle is Lifecycle.PUBLISHED
    decision = _effective(subject, decision)
    target = _check_transition(subject, decision)
    appeal = await open_appeal(session, subject)
    if decision is Decision.DISMISS_REPORTS and not legacy_dismissal and not await open_reporters(session, subject):
        raise UserError(
            ModerationErrorCode.DECISION_NOT_APPLICABLE,
            "Zu diesem Beitrag gibt es keine offenen Meldungen.",
            field="decision",
        )
    if decision is Decision.UPHOLD and appeal is None:
        raise UserError(
            ModerationErrorCode.DECISION_NOT_APPLICABLE,
            "Bestätigen lässt sich eine Entscheidung nur auf einen Einspruch hin; zu diesem Beitrag liegt keiner vor.",
            field="decision",
        )
    before = state(subject)
    resolved = await resolve_reports(session, subject)
    await move(session, subject, target)
    await session.flush()
    await session.refresh(subject.row)
    outcome = OUTCOMES[decision]
    extra: dict[str, object] = {"resolved_reports": resolved}
    if appeal is not None:
        reversed_ = target is Lifecycle.PUBLISHED
        await resolve_appeal(
            session, appeal, viewer, AppealResolution.REVERSED if reversed_ else AppealResolution.UPHELD
        )
        extra["appeal"] = {"id": str(appeal.id), "resolution": appeal.resolution}
    entry = Entry(outcome, [], before, state(subject), note=note, extra=extra)
    await store(session, subject, viewer, entry)
    tell_author(session, subject, outcome, reasons=[], note=note)
    return subject
