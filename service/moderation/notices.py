"""What authors are told about decisions on their contributions (German, written into the notification outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

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
}

_NEXT_STEPS = {
    Outcome.PUBLISH: "Alle können den Beitrag jetzt lesen. Danke fürs Mitmachen!",
    Outcome.HOLD: "Die Moderation Ihrer Stadt sieht sich den Beitrag an und entscheidet bald. Solange er noch nicht "
    "veröffentlicht ist, können Sie eine Idee noch bearbeiten.",
    Outcome.REJECT: "Wenn Sie das für einen Irrtum halten, antworten Sie auf diese Nachricht: Die Moderation prüft "
    "die Entscheidung dann noch einmal.",
    Outcome.HIDE: "Der Beitrag ist nicht mehr öffentlich sichtbar, bis die Moderation entschieden hat.",
    Outcome.RESTORE: "Die Moderation hat entschieden, dass der Beitrag wieder öffentlich sichtbar ist.",
}


def _subject_line(subject: Subject, outcome: Outcome) -> str:
    line = f"{subject.description} {_HEADLINES[outcome]}"
    return line if len(line) <= MAX_SUBJECT_LENGTH else line[: MAX_SUBJECT_LENGTH - 1] + "…"


def _body(subject: Subject, outcome: Outcome, reasons: list[str], note: str) -> str:
    parts = [f"{subject.description} {_HEADLINES[outcome]}."]
    explanations = explain(reasons) if outcome is not Outcome.PUBLISH else []
    if explanations:
        parts.append("Gründe:\n" + "\n".join(f"- {line}" for line in explanations))
    if note:
        parts.append(f"Begründung der Moderation: {note}")
    parts.append(_NEXT_STEPS[outcome])
    return "\n\n".join(parts) + "\n"


def tell_author(
    session: AsyncSession, subject: Subject, outcome: Outcome, *, reasons: list[str], note: str = ""
) -> None:
    """Write the notification into this transaction; it is delivered after commit."""
    notify(
        session,
        user_id=subject.author_id,
        kind=f"moderation.{outcome.value}",
        subject=_subject_line(subject, outcome),
        body=_body(subject, outcome, reasons, note),
    )
