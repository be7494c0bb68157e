"""Automated checks: pure functions from a text (and a few facts from the database) to reason codes and a score.

A score is how sure a check is that something is wrong, from 0 (nothing found) to 1. What a town does with the
reasons — publish, hold or reject — is decided by its policy (`service.moderation.verdict`).
"""

from __future__ import annotations

import re
import string
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from service.moderation.lexicon import Lexicon, abuse_lexicon, spam_lexicon
from service.moderation.reasons import Reason

# Spam
MIN_LINKS = 3
MIN_ADVERTISING_TERMS = 2
MIN_REPEATED_CHARACTERS = 8
MIN_REPEATED_WORDS = 4
MIN_LETTERS_FOR_SHOUTING = 20
SHOUTING_SHARE = 0.7
# Posting rate: more than this many submissions (ideas and comments) by one person in the window. A person taking
# part in a discussion answers several replies in a row: ten short comments within a few minutes are ordinary
# (a comment of a sentence or two takes 15-60 s to write). Fifteen in ten minutes is a comment every 40 s for
# the whole window, beyond what a person writes by hand, while a script posting every few seconds exceeds it
# within a minute. Only a hold follows (a moderator looks), and repeated or linked texts are caught by the
# other checks whatever the rate.
MAX_SUBMISSIONS_PER_WINDOW = 15
POSTING_RATE_WINDOW_MINUTES = 10
# Near-duplicates: pg_trgm similarity of the texts.
DUPLICATE_SIMILARITY = 0.6

SHORTENERS = frozenset({"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "rb.gy", "cutt.ly", "shorturl.at"})
_TOP_LEVEL_DOMAINS = "com|net|org|info|biz|ru|xyz|io|shop|top|click|online|site|store|de|eu|at|ch|ly|gl|gy|co|me"
_LINK = re.compile(
    rf"(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9][a-z0-9\-]{{0,62}}(?:\.[a-z0-9\-]+)*\.(?:{_TOP_LEVEL_DOMAINS})\b(?:/\S*)?",
    re.IGNORECASE,
)
_REPEATED_CHARACTER = re.compile(rf"(\S)\1{{{MIN_REPEATED_CHARACTERS - 1},}}")
# The same word, or the same two or three words, again and again: "kaufen kaufen kaufen kaufen".
_REPEATED_WORDS = re.compile(rf"\b((?:\w+\W+){{1,3}}?)\1{{{MIN_REPEATED_WORDS - 1},}}", re.IGNORECASE)

# Contact data
_EMAIL = re.compile(
    r"[\w.%+\-]+(?:@|\s*[\[({]\s*(?:at|ät)\s*[\])}]\s*)[\w\-]+(?:(?:\.|\s*[\[({]\s*(?:dot|punkt)\s*[\])}]\s*)[\w\-]+)*"
    r"(?:\.|\s*[\[({]\s*(?:dot|punkt)\s*[\])}]\s*)[a-z]{2,}\b",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?\d{2,3}[\s\-/]*(?:\(0\)[\s\-/]*)?[1-9]\d{1,4}|\(?0[1-9]\d{1,4}\)?)"  # country or area code
    r"(?:[\s\-/]{0,3}\d){4,11}"  # the number itself, digits in groups
    r"(?![\w])"
)
# Digits spaced apart one by one to get past filters: "0 2 9 2 1 / 1 2 3 4 5".
_SPACED_PHONE = re.compile(r"(?<![\w+])(?:\+|0)(?:[\s/\-.]{1,3}\d(?!\d)){7,14}")
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
IBAN_LENGTHS = {"DE": 22, "AT": 20, "CH": 21, "NL": 18, "BE": 16, "LU": 20, "FR": 27, "IT": 27, "ES": 24,
                "PL": 28, "DK": 18, "GB": 22, "IE": 22, "PT": 25, "SE": 24, "CZ": 24}  # fmt: skip
MIN_IBAN_LENGTH, MAX_IBAN_LENGTH = 15, 34


@dataclass(frozen=True)
class CheckResult:
    """What one check found: reason codes, a score from 0 to 1, and whether it is severe enough to reject."""

    reasons: frozenset[Reason] = frozenset()
    score: float = 0.0
    severe: bool = False
    evidence: tuple[str, ...] = field(default=(), compare=False)

    @property
    def fired(self) -> bool:
        return bool(self.reasons)


NOTHING = CheckResult()


def _result(
    reasons: Iterable[Reason], score: float, evidence: Iterable[str] = (), *, severe: bool = False
) -> CheckResult:
    found = frozenset(reasons)
    if not found:
        return NOTHING
    return CheckResult(reasons=found, score=round(min(score, 1.0), 3), severe=severe, evidence=tuple(evidence))


# ----------------------------------------------------------------------------- abusive language


def abusive_language(text: str, lexicon: Lexicon | None = None) -> CheckResult:
    """German and English abusive language; severe terms (threats, slurs) mark the result severe."""
    matches = (lexicon or abuse_lexicon()).find(text)
    if not matches:
        return NOTHING
    evidence = [match.found for match in matches]
    if any(match.term.severe for match in matches):
        return _result([Reason.SEVERE_ABUSE], 1.0, evidence, severe=True)
    disguised = 0.1 if any(match.disguised for match in matches) else 0.0
    return _result([Reason.ABUSIVE_LANGUAGE], 0.5 + 0.2 * (len(matches) - 1) + disguised, evidence)


# ----------------------------------------------------------------------------- spam


def links(text: str) -> list[str]:
    """Distinct links and bare domain names, in order of appearance."""
    found = (match.group(0).rstrip(".,;:!?").lower() for match in _LINK.finditer(text))
    return list(dict.fromkeys(found))


def _host(link: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", link).split("/")[0]
    return host.lower()


def spam_links(text: str) -> CheckResult:
    found = links(text)
    shortened = [link for link in found if _host(link) in SHORTENERS]
    if len(found) < MIN_LINKS and not shortened:
        return NOTHING
    return _result([Reason.SPAM_LINKS], 0.4 + 0.15 * len(found) + 0.3 * len(shortened), found)


def advertising(text: str) -> CheckResult:
    terms = {match.term.source for match in spam_lexicon().find(text)}
    if len(terms) >= MIN_ADVERTISING_TERMS or (terms and links(text)):
        return _result([Reason.SPAM_ADVERTISING], 0.4 + 0.2 * len(terms), sorted(terms))
    return NOTHING


def repetition(text: str) -> CheckResult:
    found = [
        match.group(0) for match in (_REPEATED_CHARACTER.search(text), _REPEATED_WORDS.search(text + " ")) if match
    ]
    words = re.findall(r"\w+", text.casefold())
    if len(words) >= 10:
        word, count = Counter(words).most_common(1)[0]
        if count / len(words) > 0.4 and len(word) > 2:
            found.append(word)
    return _result([Reason.SPAM_REPETITION], 0.5, found) if found else NOTHING


def shouting(text: str) -> CheckResult:
    """Mostly capital letters (links aside); short texts and acronyms alone do not count."""
    letters = [char for char in _LINK.sub("", text) if char.isalpha() and char.lower() != char.upper()]
    if len(letters) < MIN_LETTERS_FOR_SHOUTING:
        return NOTHING
    share = sum(char.isupper() for char in letters) / len(letters)
    return _result([Reason.SPAM_SHOUTING], share * 0.6) if share >= SHOUTING_SHARE else NOTHING


def spam(text: str) -> CheckResult:
    """Links, advertising, repeated characters or words, shouting."""
    return combine([spam_links(text), advertising(text), repetition(text), shouting(text)])


def posting_rate(recent_submissions: int) -> CheckResult:
    """`recent_submissions`: the author's ideas and comments in the last POSTING_RATE_WINDOW_MINUTES, this included."""
    if recent_submissions <= MAX_SUBMISSIONS_PER_WINDOW:
        return NOTHING
    return _result([Reason.SPAM_POSTING_RATE], 0.3 + 0.1 * (recent_submissions - MAX_SUBMISSIONS_PER_WINDOW))


# ----------------------------------------------------------------------------- contact data


def phone_numbers(text: str) -> list[str]:
    """German phone numbers in the usual ways of writing them (+49 2921 12345, 02921/12345, 0171 1234567)."""
    bank_accounts = [match.span() for match in _IBAN.finditer(text.upper())]
    found = []
    for match in [*_PHONE.finditer(text), *_SPACED_PHONE.finditer(text)]:
        digits = sum(char.isdigit() for char in match.group(0))
        inside_iban = any(start <= match.start() < end for start, end in bank_accounts)
        if MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS and not inside_iban:
            found.append(match.group(0).strip())
    return found


def email_addresses(text: str) -> list[str]:
    return [match.group(0) for match in _EMAIL.finditer(text)]


def iban_is_valid(iban: str) -> bool:
    """ISO 13616: the country's length, if known, and the mod-97 checksum."""
    compact = iban.replace(" ", "").upper()
    expected = IBAN_LENGTHS.get(compact[:2])
    if not MIN_IBAN_LENGTH <= len(compact) <= MAX_IBAN_LENGTH or (expected and len(compact) != expected):
        return False
    if not compact[2:4].isdigit() or not all(char in string.ascii_uppercase + string.digits for char in compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ibans(text: str) -> list[str]:
    """Valid IBANs; a match may run into the following word, so shorter prefixes are tried too."""
    found = []
    for match in _IBAN.finditer(text.upper()):
        compact = match.group(0).replace(" ", "")
        lengths = [IBAN_LENGTHS[compact[:2]]] if compact[:2] in IBAN_LENGTHS else range(MAX_IBAN_LENGTH, 14, -1)
        valid = next((compact[:length] for length in lengths if iban_is_valid(compact[:length])), None)
        if valid is not None:
            found.append(valid)
    return found


def contact_data(text: str) -> CheckResult:
    """Personal contact data: phone numbers, e-mail addresses, bank accounts (IBAN with a valid checksum)."""
    found = {
        Reason.CONTACT_PHONE: phone_numbers(text),
        Reason.CONTACT_EMAIL: email_addresses(text),
        Reason.CONTACT_IBAN: ibans(text),
    }
    reasons = [reason for reason, items in found.items() if items]
    evidence = [item for items in found.values() for item in items]
    return _result(reasons, 0.6 + 0.1 * (len(evidence) - 1), evidence)


# ----------------------------------------------------------------------------- near-duplicates


def near_duplicate(similarity: float | None) -> CheckResult:
    """`similarity`: the highest pg_trgm similarity to a recent contribution in the same town (None: none)."""
    if similarity is None or similarity < DUPLICATE_SIMILARITY:
        return NOTHING
    return _result([Reason.NEAR_DUPLICATE], similarity)


# ----------------------------------------------------------------------------- all together


@dataclass(frozen=True)
class Signals:
    """Facts from the database that some checks need."""

    recent_submissions: int = 0
    duplicate_similarity: float | None = None
    # The earlier idea with that similarity (ideas only), for the author to support instead.
    similar_idea_id: uuid.UUID | None = None


def combine(results: Iterable[CheckResult]) -> CheckResult:
    """All reasons; the highest score; severe if any result is."""
    fired = [result for result in results if result.fired]
    if not fired:
        return NOTHING
    return CheckResult(
        reasons=frozenset().union(*(result.reasons for result in fired)),
        score=max(result.score for result in fired),
        severe=any(result.severe for result in fired),
        evidence=tuple(item for result in fired for item in result.evidence),
    )


def assess(text: str, signals: Signals | None = None, *, lexicon: Lexicon | None = None) -> CheckResult:
    """Every check on one text."""
    facts = signals or Signals()
    return combine(
        [
            abusive_language(text, lexicon),
            spam(text),
            contact_data(text),
            posting_rate(facts.recent_submissions),
            near_duplicate(facts.duplicate_similarity),
        ]
    )
