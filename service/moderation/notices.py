"""What authors are told about decisions on their contributions (German, written into the notification outbox)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Idea, Lifecycle
from service.moderation.models import Outcome
from service.moderation.reasons import explain
from service.moderation.subjects import Subject
from service.notifications.service import notify

MAX_SUBJECT_LENGTH = 200

_HEADLINES = {
    Outcome.PUBLISH: "ist veröffentlicht",
    Outcome.HOLD: "wird von der Moderation geprüft",
    Outcome.REJECT: "wurde nicht veröffentlicht",
    Outcome.HIDE: "wurde ausgeblendet",
    Outcome.RESTORE: "ist wieder sichtbar",
    Outcome.DISMISS_REPORTS: "bleibt veröffentlicht",
    Outcome.UPHOLD: "bleibt nach erneuter Prüfung nicht sichtbar",
}

# The sender address takes no replies: the way to a second look is in the service itself.
APPEAL_HOW = (
    "Wenn Sie das für einen Irrtum halten, bitten Sie um eine zweite Prüfung: Öffnen Sie den Beitrag in Mitmachen "
    "und wählen Sie „Einspruch einlegen“ (in der API: appealDecision), mit ein paar Sätzen, warum. Die Moderation "
    "Ihrer Stadt prüft die Entscheidung dann noch einmal und schreibt Ihnen. Bitte antworten Sie nicht auf diese "
    "E-Mail: Antworten an diese Adresse liest niemand."
)

_NEXT_STEPS = {
    Outcome.PUBLISH: "Alle können den Beitrag jetzt lesen. Danke fürs Mitmachen!",
    Outcome.HOLD: "Die Moderation Ihrer Stadt sieht sich den Beitrag an und entscheidet bald. Solange er noch nicht "
    "veröffentlicht ist, können Sie eine Idee noch bearbeiten.",
    Outcome.REJECT: APPEAL_HOW,
    Outcome.HIDE: "Der Beitrag ist nicht mehr öffentlich sichtbar, bis die Moderation entschieden hat. " + APPEAL_HOW,
    Outcome.RESTORE: "Die Moderation hat entschieden, dass der Beitrag wieder öffentlich sichtbar ist.",
    Outcome.DISMISS_REPORTS: "Die Moderation hat Meldungen zu dem Beitrag geprüft; er bleibt öffentlich sichtbar.",
    Outcome.UPHOLD: "Die Moderation hat Ihren Einspruch geprüft und bleibt bei ihrer Entscheidung. Ein weiterer "
    "Einspruch gegen dieselbe Entscheidung ist nicht möglich.",
}


def _subject_line(subject: Subject, outcome: Outcome) -> str:
    line = f"{subject.description} {_HEADLINES[outcome]}"
    return line if len(line) <= MAX_SUBJECT_LENGTH else line[: MAX_SUBJECT_LENGTH - 1] + "…"


def _body(subject: Subject, outcome: Outcome, reasons: list[str], note: str, similar: Idea | None) -> str:
    parts = [f"{subject.description} {_HEADLINES[outcome]}."]
    title = similar.title if similar is not None else None
    explanations = explain(reasons, kind=subject.kind, similar_title=title) if outcome is not Outcome.PUBLISH else []
    if explanations:
        parts.append("Gründe:\n" + "\n".join(f"- {line}" for line in explanations))
    if note:
        parts.append(f"Begründung der Moderation: {note}")
    parts.append(_NEXT_STEPS[outcome])
    return "\n\n".join(parts) + "\n"


def tell_author(
    session: AsyncSession,
    subject: Subject,
    outcome: Outcome,
    *,
    reasons: list[str],
    note: str = "",
    similar: Idea | None = None,
) -> None:
    """Write the notification into this transaction; it is delivered after commit.

    `similar`: the public idea a near-duplicate resembles, named so that the author can support it instead.
    """
    notify(
        session,
        user_id=subject.author_id,
        kind=f"moderation.{outcome.value}",
        subject=_subject_line(subject, outcome),
        body=_body(subject, outcome, reasons, note, similar),
    )


async def public_idea(session: AsyncSession, idea_id: uuid.UUID | None) -> Idea | None:
    """The idea if it is published now; a held, rejected or withdrawn idea of someone else is never named."""
    if idea_id is None:
        return None
    found: Idea | None = await session.scalar(
        select(Idea).where(Idea.id == idea_id, Idea.lifecycle == Lifecycle.PUBLISHED.value)
    )
    return found
