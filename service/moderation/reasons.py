"""Reason codes: why a contribution was held, rejected or hidden; stored with every decision and shown to authors."""

from __future__ import annotations

from enum import StrEnum

from service.moderation.models import SubjectKind


class Reason(StrEnum):
    ABUSIVE_LANGUAGE = "abusive_language"
    SEVERE_ABUSE = "severe_abuse"
    SPAM_LINKS = "spam_links"
    SPAM_ADVERTISING = "spam_advertising"
    SPAM_REPETITION = "spam_repetition"
    SPAM_SHOUTING = "spam_shouting"
    SPAM_POSTING_RATE = "spam_posting_rate"
    CONTACT_PHONE = "contact_phone"
    CONTACT_EMAIL = "contact_email"
    CONTACT_IBAN = "contact_iban"
    NEAR_DUPLICATE = "near_duplicate"
    FIRST_CONTRIBUTION = "first_contribution"
    POLICY_ALWAYS = "policy_always"
    REPORTED = "reported"
    APPEALED = "appealed"


EXPLANATIONS: dict[Reason, str] = {
    Reason.ABUSIVE_LANGUAGE: "Der Text enthält beleidigende oder abwertende Ausdrücke.",
    Reason.SEVERE_ABUSE: "Der Text enthält Drohungen, Hetze oder schwere Beleidigungen.",
    Reason.SPAM_LINKS: "Der Text enthält viele oder verkürzte Links.",
    Reason.SPAM_ADVERTISING: "Der Text sieht nach Werbung aus.",
    Reason.SPAM_REPETITION: "Der Text wiederholt Zeichen oder Wörter auffällig oft.",
    Reason.SPAM_SHOUTING: "Der Text ist überwiegend in Großbuchstaben geschrieben.",
    Reason.SPAM_POSTING_RATE: "Sehr viele Beiträge in kurzer Zeit.",
    Reason.CONTACT_PHONE: "Der Text enthält eine Telefonnummer.",
    Reason.CONTACT_EMAIL: "Der Text enthält eine E-Mail-Adresse.",
    Reason.CONTACT_IBAN: "Der Text enthält eine Bankverbindung (IBAN).",
    Reason.NEAR_DUPLICATE: "Eine sehr ähnliche Idee gibt es in dieser Stadt bereits.",
    Reason.FIRST_CONTRIBUTION: "Erste Beiträge in dieser Stadt sieht sich die Moderation an.",
    Reason.POLICY_ALWAYS: "In dieser Stadt sieht sich die Moderation jeden Beitrag an.",
    Reason.REPORTED: "Der Beitrag wurde gemeldet.",
    Reason.APPEALED: "Wer den Beitrag geschrieben hat, bittet um eine zweite Prüfung der Entscheidung.",
}
# Comments are compared with the same person's recent comments only (see `automated.facts`).
COMMENT_DUPLICATE = "Einen sehr ähnlichen Kommentar hat dieselbe Person hier vor Kurzem schon geschrieben."


def reported(reporters: int) -> str:
    """How many people reported it, in words: once is not "mehrfach"."""
    if reporters == 1:
        return "Der Beitrag wurde einmal gemeldet."
    if reporters > 1:
        return f"Der Beitrag wurde von {reporters} Personen gemeldet."
    return EXPLANATIONS[Reason.REPORTED]


def similar_idea(title: str) -> str:
    return (
        f"Eine sehr ähnliche Idee gibt es in dieser Stadt bereits: „{title}“. Statt einer zweiten können Sie diese "
        "unterstützen oder kommentieren."
    )


def explain(
    reasons: list[str] | tuple[str, ...],
    *,
    kind: SubjectKind = SubjectKind.IDEA,
    reporters: int = 0,
    similar_title: str | None = None,
) -> list[str]:
    """German explanations of stored reason codes, in order; codes this version does not know are skipped.

    `kind` words a near-duplicate for comments; `reporters` counts the people who reported it (0: not known);
    `similar_title` names the idea a near-duplicate resembles, only to be given while that idea is public.
    """
    known = {reason.value: reason for reason in Reason}
    special = {Reason.REPORTED: reported(reporters)}
    if kind is SubjectKind.COMMENT:
        special[Reason.NEAR_DUPLICATE] = COMMENT_DUPLICATE
    elif similar_title is not None:
        special[Reason.NEAR_DUPLICATE] = similar_idea(similar_title)
    return [special.get(known[code], EXPLANATIONS[known[code]]) for code in reasons if code in known]
