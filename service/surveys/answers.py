"""A person's answers checked against the survey's definition: kinds, ranges, required flags and conditions.

What an answer to one question may be is its kind's business (`service.surveys.kinds`); this module checks
the survey as a whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from service.kit.errors import UserError
from service.surveys.errors import SurveyErrorCode
from service.surveys.kinds import asked, kind_of
from service.surveys.kinds.base import AnswerInput, CleanAnswer, refuse
from service.surveys.models import Question

__all__ = ["AnswerInput", "CleanAnswer", "check", "condition_holds"]


def condition_holds(condition: dict[str, Any], earlier: Question, answer: CleanAnswer | None) -> bool:
    """Whether a question whose `show_if` is `condition` is shown, given the earlier question and its answer."""
    return answer is not None and kind_of(earlier.kind).condition_holds(condition, answer)


def check(questions: Sequence[Question], answers: Sequence[AnswerInput]) -> list[CleanAnswer]:
    """The clean answers, in question order; refuses unknown or repeated questions, answers to questions the
    conditions hide, missing answers to shown required questions, and anything outside a question's rules."""
    by_question: dict[uuid.UUID, AnswerInput] = {}
    known = {question.id: question for question in questions}
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
        if condition is None:
            shown = True
        else:
            earlier = uuid.UUID(condition["question_id"])
            shown = condition_holds(condition, known[earlier], clean.get(earlier))
        if given is None or given.is_empty:
            if shown and question.required:
                raise UserError(
                    SurveyErrorCode.ANSWER_REQUIRED,
                    f"Frage {question.position + 1} ist eine Pflichtfrage.",
                    field="answers",
                )
            continue
        rules = asked(question)
        if not shown:
            raise refuse(rules, "Diese Frage wird nach Ihren bisherigen Antworten nicht gestellt.")
        clean[question.id] = kind_of(question.kind).check_answer(rules, given)
    if not clean:
        raise UserError(SurveyErrorCode.ANSWER_REQUIRED, "Bitte mindestens eine Frage beantworten.", field="answers")
    return list(clean.values())
