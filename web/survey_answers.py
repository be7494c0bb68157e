"""A survey's answer form read back into the API's answers.

Field names follow the question's position: `frage-3` (the choice, text, scale or number), `frage-3-andere` (the
"other" text), `frage-3-platz-1` (the place given to option 1 of a ranking). Show-if conditions are applied here
as the API applies them, in question order: a question whose condition is not met is not required, and whatever
was typed into it is dropped, so the form can show every question at once when JavaScript is off."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from web.api import Problem

OTHER = "andere"
_QUESTION_NUMBER = re.compile(r"^Frage (\d+)\b")


def name(question: Mapping[str, Any]) -> str:
    return f"frage-{question['position']}"


@dataclass
class ReadAnswers:
    """The answers to send, what the person entered (to show it again), and the problems found per question."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(" ", "").replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _ranking(question: Mapping[str, Any], form: FormData) -> tuple[list[int] | None, dict[str, str], str | None]:
    """The options ordered by the places chosen (one select per option); None when no place was chosen."""
    key = name(question)
    places = {
        f"{key}-platz-{index}": str(form.get(f"{key}-platz-{index}") or "") for index in range(len(question["options"]))
    }
    chosen = {index: value for index, value in enumerate(places.values()) if value}
    if not chosen:
        return None, places, None
    count = len(question["options"])
    if sorted(chosen.values()) != [str(place) for place in range(1, count + 1)] or len(chosen) != count:
        return None, places, f"Bitte geben Sie jedem Eintrag einen anderen Platz, von 1 bis {count}."
    return sorted(chosen, key=lambda index: int(chosen[index])), places, None


Read = tuple[dict[str, Any] | None, dict[str, Any], str | None]


def _choice(question: Mapping[str, Any], form: FormData) -> Read:
    key = name(question)
    chosen = [str(value) for value in form.getlist(key)]
    other = str(form.get(f"{key}-andere") or "").strip()
    values = {key: chosen, f"{key}-andere": other}
    indexes = sorted({int(value) for value in chosen if value.isdigit() and int(value) < len(question["options"])})
    wants_other = OTHER in chosen
    if wants_other and not other:
        return None, values, "Bitte schreiben Sie Ihre eigene Antwort in das Textfeld."
    if not indexes and not wants_other:
        return None, values, None
    answer: dict[str, Any] = {"optionIndexes": indexes}
    if wants_other:
        answer["otherText"] = other
    return answer, values, None


def _ranked(question: Mapping[str, Any], form: FormData) -> Read:
    order, places, problem = _ranking(question, form)
    return ({"optionIndexes": order} if order else None), places, problem


def _typed(question: Mapping[str, Any], form: FormData) -> Read:
    key = name(question)
    entered = str(form.get(key) or "").strip()
    values = {key: entered}
    if not entered:
        return None, values, None
    if question["kind"] == "FREE_TEXT":
        return {"text": entered}, values, None
    value = _number(entered)
    if value is None:
        return None, values, "Bitte geben Sie eine Zahl an, z. B. 12 oder 3,5."
    return {"value": value}, values, None


# Each kind's reader: the answer for the API (None: not answered), the entered values (to show them again), and a
# problem if the form's own rules are broken (a number that is none, a place given twice, "other" without text).
READERS = {
    "SINGLE_CHOICE": _choice,
    "MULTIPLE_CHOICE": _choice,
    "RANKING": _ranked,
    "FREE_TEXT": _typed,
    "SCALE": _typed,
    "NUMBER": _typed,
}


def condition_holds(condition: Mapping[str, Any] | None, earlier: Mapping[str, Any] | None) -> bool:
    """Whether a question with `condition` is shown, given the earlier question's answer (as sent to the API)."""
    if condition is None:
        return True
    if earlier is None:
        return False
    if condition["anyOf"]:
        return bool(set(condition["anyOf"]) & set(earlier.get("optionIndexes") or ()))
    if condition["atLeast"] is not None or condition["atMost"] is not None:
        value = earlier.get("value")
        if value is None:
            return False
        return (condition["atLeast"] is None or value >= condition["atLeast"]) and (
            condition["atMost"] is None or value <= condition["atMost"]
        )
    return True


def read(questions: Sequence[Mapping[str, Any]], form: FormData) -> ReadAnswers:
    """Every question in order: hidden ones dropped, shown required ones checked, each problem at its question."""
    result = ReadAnswers()
    sent: dict[str, dict[str, Any]] = {}
    for question in sorted(questions, key=lambda each: each["position"]):
        answer, values, problem = READERS[question["kind"]](question, form)
        result.values |= values
        condition = question["showIf"]
        if not condition_holds(condition, sent.get(condition["questionId"]) if condition else None):
            continue
        field_name = name(question)
        if problem:
            result.problems.append(Problem(f"Frage {question['position'] + 1}: {problem}", None, field_name))
        elif answer is None and question["required"]:
            result.problems.append(
                Problem(f"Frage {question['position'] + 1} ist eine Pflichtfrage: bitte beantworten.", None, field_name)
            )
        elif answer is not None:
            sent[question["id"]] = answer
            result.answers.append({"questionId": question["id"], **answer})
    return result


def at_question(problem: Problem) -> Problem:
    """The API names the question at fault in its message ("Frage 3: …"): the problem then links to it."""
    match = _QUESTION_NUMBER.match(problem.message)
    if match is None:
        return problem
    return Problem(problem.message, problem.code, f"frage-{int(match.group(1)) - 1}")
