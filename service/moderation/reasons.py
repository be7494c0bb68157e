"""Reason codes: why a contribution was held, rejected or hidden; stored with every decision and shown to authors."""

from __future__ import annotations

from enum import StrEnum


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
    Reason.REPORTED: "Der Beitrag wurde mehrfach gemeldet.",
}


def explain(reasons: list[str] | tuple[str, ...]) -> list[str]:
    """German explanations of stored reason codes, in order; codes this version does not know are skipped."""
    known = {reason.value: reason for reason in Reason}
    return [EXPLANATIONS[known[code]] for code in reasons if code in known]
