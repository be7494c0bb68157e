"""What every question kind provides, and the pieces several kinds share.

A kind is one module in this package with one object that satisfies `Kind`: its settings are a pydantic model
(stored in `survey_questions.settings` through a `TypeAdapter`, keys as the model names them), and it says how
to validate them, check an answer, aggregate answers, write an answer into a CSV cell and what a `showIf` on a
question of this kind means. `service.surveys.kinds` keeps the registry.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, TypeAdapter

from service.kit.errors import UserError
from service.kit.spreadsheet import number_cell
from service.kit.text import clean_line, clean_text
from service.surveys.errors import SurveyErrorCode
from service.surveys.models import Answer, QuestionKind

OPTION_MAX = 200
OPTIONS_MIN = 2
LABEL_MAX = 100


class Settings(BaseModel):
    """The settings of one kind; `KIND` names it. Unknown keys are refused, stored or given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    KIND: ClassVar[QuestionKind]


@dataclass(frozen=True)
class ShowIf:
    """Show a question only if an earlier one (by its index in the list) was answered in a certain way; which
    parts apply depends on the earlier question's kind (`Kind.check_condition`)."""

    question_index: int
    any_of: tuple[int, ...] = ()
    at_least: float | None = None
    at_most: float | None = None


@dataclass(frozen=True)
class AnswerInput:
    """What a person sent for one question; only the parts that fit the question's kind may be given."""

    question_id: uuid.UUID
    option_indexes: tuple[int, ...] | None = None
    other_text: str | None = None
    text: str | None = None
    value: float | None = None

    @property
    def is_empty(self) -> bool:
        return not self.option_indexes and not self.other_text and not self.text and self.value is None


@dataclass(frozen=True)
class CleanAnswer:
    question_id: uuid.UUID
    option_indexes: list[int] | None = None
    other_text: str | None = None
    text: str | None = None
    number: float | None = None


@dataclass(frozen=True)
class Asked:
    """The question an answer is checked against: its id, its number for messages, its typed settings."""

    id: uuid.UUID
    position: int
    settings: Any


S = TypeVar("S", bound=Settings)


@runtime_checkable
class Kind(Protocol[S]):
    kind: QuestionKind
    settings_type: type[S]

    def clean_settings(self, settings: S, field: str) -> S:
        """The settings with defaults filled in, or a German `UserError` naming `field.<setting>`."""

    def check_condition(self, settings: S, condition: ShowIf, field: str) -> None:
        """Refuse a `showIf` on a question of this kind that names parts this kind does not have."""

    def condition_holds(self, condition: dict[str, Any], answer: CleanAnswer) -> bool:
        """Whether a stored condition on a question of this kind holds for its (given) answer."""

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        """The clean answer, or a German `UserError`; `question.settings` is an `S`."""

    def aggregate(self, settings: S, answers: Sequence[Answer]) -> dict[str, Any]:
        """The kind's part of a question's results (free text under `texts`/`other_texts` only: staff only)."""

    def csv_cell(self, settings: S, answer: Answer) -> str:
        """The answer as one spreadsheet cell (already formatted by `service.kit.spreadsheet`)."""


def dump(settings: Settings) -> dict[str, Any]:
    """The JSON stored in `survey_questions.settings`."""
    stored: dict[str, Any] = TypeAdapter(type(settings)).dump_python(settings, mode="json")
    return stored


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# Settings.


def invalid(message: str, field: str) -> UserError:
    return UserError(SurveyErrorCode.QUESTION_INVALID, message, field=field)


def text(value: str, *, field: str, maximum: int, minimum: int = 0, what: str, line: bool = False) -> str:
    cleaned = clean_line(value, field=field) if line else clean_text(value, field=field)
    if not minimum <= len(cleaned) <= maximum:
        raise invalid(f"{what} hat {minimum} bis {maximum} Zeichen.", field)
    return cleaned


def label(value: str, field: str) -> str:
    return text(value, field=field, maximum=LABEL_MAX, what="Eine Beschriftung", line=True)


def options(given: Sequence[str], field: str, maximum: int) -> list[str]:
    if not OPTIONS_MIN <= len(given) <= maximum:
        raise invalid(f"Diese Frage braucht {OPTIONS_MIN} bis {maximum} Antwortmöglichkeiten.", field)
    cleaned = [
        text(option, field=field, minimum=1, maximum=OPTION_MAX, what="Eine Antwortmöglichkeit", line=True)
        for option in given
    ]
    if len(set(cleaned)) != len(cleaned):
        raise invalid("Antwortmöglichkeiten dürfen sich nicht wiederholen.", field)
    return cleaned


# Conditions: the three meanings a `showIf` can have.


def option_condition(option_count: int, condition: ShowIf, field: str) -> None:
    """On a choice question: one of `any_of` was chosen."""
    has_range = condition.at_least is not None or condition.at_most is not None
    if has_range or not condition.any_of or any(not 0 <= option < option_count for option in condition.any_of):
        raise invalid("Eine Bedingung auf eine Auswahlfrage nennt eine oder mehrere ihrer Antwortmöglichkeiten.", field)


def option_holds(condition: dict[str, Any], answer: CleanAnswer) -> bool:
    return bool(set(condition["any_of"]) & set(answer.option_indexes or ()))


def range_condition(condition: ShowIf, field: str) -> None:
    """On a question answered with a value: the value lies within `at_least`/`at_most`."""
    bounds = [bound for bound in (condition.at_least, condition.at_most) if bound is not None]
    if condition.any_of or not bounds or not all(math.isfinite(bound) for bound in bounds):
        raise invalid("Eine Bedingung auf eine Frage mit einem Wert nennt einen Bereich.", field)
    if condition.at_least is not None and condition.at_most is not None and condition.at_least > condition.at_most:
        raise invalid("Der Bereich der Bedingung ist leer.", field)


def range_holds(condition: dict[str, Any], answer: CleanAnswer) -> bool:
    value, least, most = answer.number, condition["at_least"], condition["at_most"]
    return value is not None and (least is None or value >= least) and (most is None or value <= most)


def answered_condition(condition: ShowIf, field: str) -> None:
    """On free text and ranking: the question was answered at all."""
    if condition.any_of or condition.at_least is not None or condition.at_most is not None:
        raise invalid("Bei Freitext und Rangfolge zählt nur, ob die Frage beantwortet wurde.", field)


# Answers.


def refuse(question: Asked, message: str) -> UserError:
    return UserError(SurveyErrorCode.ANSWER_INVALID, f"Frage {question.position + 1}: {message}", field="answers")


def answer_text(question: Asked, value: str) -> str:
    try:
        return clean_text(value, field="answers")
    except UserError as error:
        raise refuse(question, error.message) from None


def only(question: Asked, answer: AnswerInput, *allowed: str) -> None:
    given = {
        "optionIndexes": answer.option_indexes is not None,
        "otherText": answer.other_text is not None,
        "text": answer.text is not None,
        "value": answer.value is not None,
    }
    if any(present and name not in allowed for name, present in given.items()):
        raise refuse(question, "Diese Antwort passt nicht zur Art der Frage.")


def whole_number(question: Asked, answer: AnswerInput, low: int, high: int) -> CleanAnswer:
    """A value that must be a whole number from `low` to `high` (scales, ratings)."""
    only(question, answer, "value")
    value = answer.value
    if value is None or not math.isfinite(value) or value != int(value) or not low <= value <= high:
        raise refuse(question, f"Bitte eine ganze Zahl von {low} bis {high} wählen.")
    return CleanAnswer(question.id, number=float(int(value)))


# Results.


def values(answers: Sequence[Answer], steps: Iterable[int] | None = None) -> dict[str, Any]:
    """Distribution, mean and median of answered values; `steps` lists every possible value (zeros included)."""
    numbers = [answer.number for answer in answers if answer.number is not None]
    counts = Counter(numbers)
    distribution = (
        [{"value": value, "count": counts[value]} for value in sorted(counts)]
        if steps is None
        else [{"value": float(step), "count": counts[float(step)]} for step in steps]
    )
    return {
        "distribution": distribution,
        "mean": round(statistics.fmean(numbers), 4) if numbers else None,
        "median": statistics.median(numbers) if numbers else None,
    }


# What whole groups of kinds mean alike, to mix into a kind.


class AnsweredAtAll:
    """A `showIf` on such a question asks only whether it was answered (free text, ranking)."""

    def check_condition(self, settings: Settings, condition: ShowIf, field: str) -> None:
        answered_condition(condition, field)

    def condition_holds(self, condition: dict[str, Any], answer: CleanAnswer) -> bool:
        return True


class AnsweredWithValue:
    """Answered with a number (scale, number, rating): a `showIf` names a range, the CSV cell is the number."""

    def check_condition(self, settings: Settings, condition: ShowIf, field: str) -> None:
        range_condition(condition, field)

    def condition_holds(self, condition: dict[str, Any], answer: CleanAnswer) -> bool:
        return range_holds(condition, answer)

    def csv_cell(self, settings: Settings, answer: Answer) -> str:
        return "" if answer.number is None else number_cell(answer.number)
