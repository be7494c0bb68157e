"""A person's answers checked against the survey's definition: kinds, ranges, required flags and conditions."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.errors import UserError
from service.ideas.validation import clean_text
from service.surveys.errors import SurveyErrorCode
from service.surveys.models import Question, QuestionKind

OTHER_TEXT_MAX = 200


@dataclass(frozen=True)
class AnswerInput:
    """What a person sent for one question; only the parts that fit the question's kind may be given.

    Choice questions: `option_indexes` (and `other_text` when "other" is allowed). Ranking: `option_indexes`
    with every option once, most preferred first. Free text: `text`. Scale and number: `value`.
    """

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


def _refuse(question: Question, message: str) -> UserError:
    return UserError(SurveyErrorCode.ANSWER_INVALID, f"Frage {question.position + 1}: {message}", field="answers")


def _clean(question: Question, value: str) -> str:
    try:
        return clean_text(value, field="answers")
    except UserError as error:
        raise _refuse(question, error.message) from None


def _only(question: Question, answer: AnswerInput, *allowed: str) -> None:
    given = {
        "optionIndexes": answer.option_indexes is not None,
        "otherText": answer.other_text is not None,
        "text": answer.text is not None,
        "value": answer.value is not None,
    }
    if any(present and name not in allowed for name, present in given.items()):
        raise _refuse(question, "Diese Antwort passt nicht zur Art der Frage.")


def _choice(question: Question, answer: AnswerInput) -> CleanAnswer:
    _only(question, answer, "optionIndexes", "otherText")
    settings = question.settings
    chosen = list(answer.option_indexes or ())
    if len(set(chosen)) != len(chosen) or any(not 0 <= index < len(settings["options"]) for index in chosen):
        raise _refuse(question, "Diese Antwortmöglichkeit gibt es nicht.")
    other = None
    if answer.other_text is not None:
        if not settings["allow_other"]:
            raise _refuse(question, "Eine eigene Antwort ist hier nicht vorgesehen.")
        other = _clean(question, answer.other_text)
        if not 1 <= len(other) <= OTHER_TEXT_MAX:
            raise _refuse(question, f"Die eigene Antwort hat 1 bis {OTHER_TEXT_MAX} Zeichen.")
    count = len(chosen) + int(other is not None)
    if question.kind == QuestionKind.SINGLE_CHOICE.value:
        least = most = 1
    else:
        least, most = settings["min_selections"], settings["max_selections"]
    if not least <= count <= most:
        wanted = "genau eine Antwort" if least == most == 1 else f"{least} bis {most} Antworten"
        raise _refuse(question, f"Bitte {wanted} wählen.")
    return CleanAnswer(question.id, option_indexes=sorted(chosen), other_text=other)


def _free_text(question: Question, answer: AnswerInput) -> CleanAnswer:
    _only(question, answer, "text")
    text = _clean(question, answer.text or "")
    longest = question.settings["max_length"]
    if not 1 <= len(text) <= longest:
        raise _refuse(question, f"Die Antwort hat 1 bis {longest} Zeichen.")
    return CleanAnswer(question.id, text=text)


def _scale(question: Question, answer: AnswerInput) -> CleanAnswer:
    _only(question, answer, "value")
    low, high = question.settings["min"], question.settings["max"]
    value = answer.value
    if value is None or not math.isfinite(value) or value != int(value) or not low <= value <= high:
        raise _refuse(question, f"Bitte eine ganze Zahl von {low} bis {high} wählen.")
    return CleanAnswer(question.id, number=float(int(value)))


def _number(question: Question, answer: AnswerInput) -> CleanAnswer:
    _only(question, answer, "value")
    low, high = question.settings["min"], question.settings["max"]
    value = answer.value
    if value is None or not math.isfinite(value):
        raise _refuse(question, "Bitte eine Zahl angeben.")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = " ".join(
            part
            for part in (f"ab {low:g}" if low is not None else "", f"bis {high:g}" if high is not None else "")
            if part
        )
        raise _refuse(question, f"Die Zahl muss im Bereich {bounds} liegen.")
    return CleanAnswer(question.id, number=value)


def _ranking(question: Question, answer: AnswerInput) -> CleanAnswer:
    _only(question, answer, "optionIndexes")
    order = list(answer.option_indexes or ())
    if sorted(order) != list(range(len(question.settings["options"]))):
        raise _refuse(question, "Bitte jede Antwortmöglichkeit genau einmal in eine Reihenfolge bringen.")
    return CleanAnswer(question.id, option_indexes=order)


CHECKS = {
    QuestionKind.SINGLE_CHOICE: _choice,
    QuestionKind.MULTIPLE_CHOICE: _choice,
    QuestionKind.FREE_TEXT: _free_text,
    QuestionKind.SCALE: _scale,
    QuestionKind.NUMBER: _number,
    QuestionKind.RANKING: _ranking,
}


def condition_holds(condition: dict[str, Any], earlier: CleanAnswer | None) -> bool:
    """Whether a question whose `show_if` is `condition` is shown, given the earlier question's clean answer."""
    if earlier is None:
        return False
    if condition["any_of"]:
        return bool(set(condition["any_of"]) & set(earlier.option_indexes or ()))
    if condition["at_least"] is not None or condition["at_most"] is not None:
        value = earlier.number
        if value is None:
            return False
        return (condition["at_least"] is None or value >= condition["at_least"]) and (
            condition["at_most"] is None or value <= condition["at_most"]
        )
    return True


def check(questions: Sequence[Question], answers: Sequence[AnswerInput]) -> list[CleanAnswer]:
    """The clean answers, in question order; refuses unknown or repeated questions, answers to questions the
    conditions hide, missing answers to shown required questions, and anything outside a question's rules."""
    by_question: dict[uuid.UUID, AnswerInput] = {}
    known = {question.id for question in questions}
    for answer in answers:
        if answer.question_id not in known:
            raise UserError(SurveyErrorCode.ANSWER_INVALID, "Diese Frage gehört nicht zu der Umfrage.", field="answers")
        if answer.question_id in by_question:
            raise UserError(SurveyErrorCode.ANSWER_INVALID, "Jede Frage wird nur einmal beantwortet.", field="answers")
        by_question[answer.question_id] = answer
    clean: dict[uuid.UUID, CleanAnswer] = {}
    for question in sorted(questions, key=lambda row: row.position):
        given = by_question.get(question.id)
        condition = question.show_if
        shown = condition is None or condition_holds(condition, clean.get(uuid.UUID(condition["question_id"])))
        if given is None or given.is_empty:
            if shown and question.required:
                raise UserError(
                    SurveyErrorCode.ANSWER_REQUIRED,
                    f"Frage {question.position + 1} ist eine Pflichtfrage.",
                    field="answers",
                )
            continue
        if not shown:
            raise _refuse(question, "Diese Frage wird nach Ihren bisherigen Antworten nicht gestellt.")
        clean[question.id] = CHECKS[QuestionKind(question.kind)](question, given)
    if not clean:
        raise UserError(SurveyErrorCode.ANSWER_REQUIRED, "Bitte mindestens eine Frage beantworten.", field="answers")
    return list(clean.values())
