"""Precision and recall of the automated checks on a labelled sample of German and English texts.

`sample.jsonl` holds contributions as people write them: clean ones (including words that resemble abuse),
abusive ones (plain, inflected, disguised, severe), spam and personal contact data. A text's predicted class
is the first that applies of abusive, contact, spam; clean when no text check fires.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.moderation.checks import assess
from service.moderation.reasons import Reason

SAMPLE = Path(__file__).parent / "sample.jsonl"
CLASSES = ("clean", "abusive", "spam", "contact")
MIN_SAMPLE_SIZE = 200
FLOOR = 0.8

ABUSE = {Reason.ABUSIVE_LANGUAGE, Reason.SEVERE_ABUSE}
CONTACT = {Reason.CONTACT_PHONE, Reason.CONTACT_EMAIL, Reason.CONTACT_IBAN}
SPAM = {Reason.SPAM_LINKS, Reason.SPAM_ADVERTISING, Reason.SPAM_REPETITION, Reason.SPAM_SHOUTING}


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str
    lang: str


def _sample() -> list[Labelled]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [Labelled(**json.loads(line)) for line in lines if line.strip()]


def predict(text: str) -> str:
    reasons = assess(text).reasons
    if reasons & ABUSE:
        return "abusive"
    if reasons & CONTACT:
        return "contact"
    if reasons & SPAM:
        return "spam"
    return "clean"


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    support: int


def scores(pairs: list[tuple[str, str]]) -> dict[str, Score]:
    """Per class, from (label, prediction) pairs."""
    true_positive = Counter(label for label, predicted in pairs if label == predicted)
    predicted = Counter(prediction for _, prediction in pairs)
    actual = Counter(label for label, _ in pairs)
    return {
        name: Score(
            precision=true_positive[name] / predicted[name] if predicted[name] else 1.0,
            recall=true_positive[name] / actual[name] if actual[name] else 1.0,
            support=actual[name],
        )
        for name in CLASSES
    }


def _table(results: dict[str, Score], misses: list[tuple[Labelled, str]]) -> str:
    lines = [f"{'class':<10}{'precision':>10}{'recall':>10}{'n':>6}"]
    lines += [
        f"{name:<10}{score.precision:>10.2f}{score.recall:>10.2f}{score.support:>6}" for name, score in results.items()
    ]
    lines += [f"  {item.label} predicted as {predicted}: {item.text}" for item, predicted in misses]
    return "\n".join(lines)


def test_the_sample_is_large_enough_and_covers_both_languages_and_every_class() -> None:
    sample = _sample()

    assert len(sample) >= MIN_SAMPLE_SIZE
    assert {(item.label, item.lang) for item in sample} == {(name, lang) for name in CLASSES for lang in ("de", "en")}
    assert len({item.text for item in sample}) == len(sample), "no duplicates"


def test_precision_and_recall_per_class_reach_the_floor() -> None:
    sample = _sample()
    predictions = [(item, predict(item.text)) for item in sample]
    results = scores([(item.label, predicted) for item, predicted in predictions])
    misses = [(item, predicted) for item, predicted in predictions if predicted != item.label]

    print("\n" + _table(results, misses))  # noqa: T201 - the table is this test's report (pytest -s)

    for name, score in results.items():
        assert score.precision >= FLOOR, f"{name}: precision {score.precision:.2f}\n{_table(results, misses)}"
        assert score.recall >= FLOOR, f"{name}: recall {score.recall:.2f}\n{_table(results, misses)}"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_no_clean_text_is_taken_for_severe_abuse(lang: str) -> None:
    clean = [item.text for item in _sample() if item.label == "clean" and item.lang == lang]

    assert [text for text in clean if assess(text).severe] == []
