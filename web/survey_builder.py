"""The survey builder's forms: a survey's settings and one question's settings, read from a posted form into the
API's inputs, and the questions as the API lists them turned back into `SurveyQuestionInput`s so that the whole
list can be sent again (`setSurveyQuestions` replaces it) after one question is added, changed, moved or removed.

Conditions name their target by id while the list is rearranged and by index (as the API wants) when it is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData

from web.api import Problem
from web.forms import text
from web.survey_format import TOWN_TIME, number_text

# The settings each kind takes (besides prompt, help text, required and the condition), as the API names them.
KIND_SETTINGS: dict[str, tuple[str, ...]] = {
    "SINGLE_CHOICE": ("options", "allowOther"),
    "MULTIPLE_CHOICE": ("options", "allowOther", "minSelections", "maxSelections"),
    "FREE_TEXT": ("maxLength",),
    "SCALE": ("scaleMin", "scaleMax", "minLabel", "maxLabel"),
    "RANKING": ("options",),
    "NUMBER": ("numberMin", "numberMax"),
}
KINDS = tuple(KIND_SETTINGS)
INTEGERS = ("minSelections", "maxSelections", "maxLength", "scaleMin", "scaleMax")
NUMBERS = ("numberMin", "numberMax")
LINES = ("minLabel", "maxLabel")
CHOICE_KINDS = ("SINGLE_CHOICE", "MULTIPLE_CHOICE")
VALUE_KINDS = ("SCALE", "NUMBER")


@dataclass
class Draft:
    """A question on its way to the API: its input without `showIf`, and the condition naming its target by id."""

    id: str | None
    input: dict[str, Any]
    condition: dict[str, Any] | None = None


def from_api(question: Mapping[str, Any]) -> Draft:
    kind = question["kind"]
    data: dict[str, Any] = {
        "kind": kind,
        "prompt": question["prompt"],
        "helpText": question["helpText"],
        "required": question["required"],
    }
    data |= {name: question[name] for name in KIND_SETTINGS[kind]}
    data = {name: ("" if value is None and name in LINES else value) for name, value in data.items()}
    condition = question["showIf"]
    return Draft(question["id"], data, dict(condition) if condition else None)


def as_inputs(drafts: Sequence[Draft]) -> list[dict[str, Any]]:
    """The list for `setSurveyQuestions`: conditions point at their target's index in this list."""
    index_of = {draft.id: index for index, draft in enumerate(drafts) if draft.id}
    inputs = []
    for draft in drafts:
        data = dict(draft.input)
        if draft.condition and draft.condition["questionId"] in index_of:
            data["showIf"] = {
                "questionIndex": index_of[draft.condition["questionId"]],
                "anyOf": draft.condition["anyOf"],
                "atLeast": draft.condition["atLeast"],
                "atMost": draft.condition["atMost"],
            }
        inputs.append(data)
    return inputs


@dataclass
class ReadQuestion:
    draft: Draft | None
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _number(value: str, name: str, whole: bool, problems: list[Problem]) -> float | int | None:
    if not value:
        return None
    try:
        return int(value) if whole else float(value.replace(",", "."))
    except ValueError:
        message = "Bitte eine ganze Zahl angeben." if whole else "Bitte eine Zahl angeben, z. B. 2,5."
        problems.append(Problem(message, None, name))
        return None


def question_from_form(
    kind: str, form: FormData, earlier: Sequence[Mapping[str, Any]], own_id: str | None
) -> ReadQuestion:
    """One question's settings as typed in the editor; `earlier` are the questions a condition may name."""
    values: dict[str, Any] = {name: text(form, name) for name in ("prompt", "helpText", *KIND_SETTINGS[kind])}
    values["required"] = form.get("required") == "ja"
    values["allowOther"] = form.get("allowOther") == "ja"
    problems: list[Problem] = []
    data: dict[str, Any] = {"kind": kind, "prompt": values["prompt"], "helpText": values["helpText"]}
    data["required"] = values["required"]
    for name in KIND_SETTINGS[kind]:
        if name == "options":
            data[name] = [line.strip() for line in values[name].splitlines() if line.strip()]
        elif name == "allowOther":
            data[name] = values["allowOther"]
        elif name in INTEGERS or name in NUMBERS:
            data[name] = _number(values[name], name, name in INTEGERS, problems)
        else:
            data[name] = values[name]
    condition = _condition(form, earlier, values, problems)
    if problems:
        return ReadQuestion(None, values, problems)
    return ReadQuestion(Draft(own_id, data, condition), values, problems)


def _condition(
    form: FormData, earlier: Sequence[Mapping[str, Any]], values: dict[str, Any], problems: list[Problem]
) -> dict[str, Any] | None:
    chosen = text(form, "showIf")
    values["showIf"] = chosen
    values["showIf.atLeast"] = text(form, "showIf.atLeast")
    values["showIf.atMost"] = text(form, "showIf.atMost")
    target = next((question for question in earlier if str(question["position"]) == chosen), None)
    if target is None:
        return None
    any_of = sorted(int(str(value)) for value in form.getlist(f"showIf.anyOf.{chosen}") if str(value).isdigit())
    values[f"showIf.anyOf.{chosen}"] = [str(index) for index in any_of]
    condition: dict[str, Any] = {"questionId": target["id"], "anyOf": [], "atLeast": None, "atMost": None}
    if target["kind"] in CHOICE_KINDS:
        condition["anyOf"] = any_of
    elif target["kind"] in VALUE_KINDS:
        condition["atLeast"] = _number(values["showIf.atLeast"], "showIf", False, problems)
        condition["atMost"] = _number(values["showIf.atMost"], "showIf", False, problems)
    return condition


def editor_values(question: Mapping[str, Any]) -> dict[str, Any]:
    """A stored question as the editor's fields show it."""
    values: dict[str, Any] = {name: question[name] for name in ("prompt", "helpText", "required", "allowOther")}
    for name in KIND_SETTINGS[question["kind"]]:
        value = question[name]
        if name == "options":
            values[name] = "\n".join(value)
        elif name != "allowOther":
            values[name] = "" if value is None else number_text(value, 6) if name in NUMBERS else str(value)
    return values


def editor_condition(question: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    condition = question["showIf"]
    if not condition:
        return {}
    target = next((each for each in earlier if each["id"] == condition["questionId"]), None)
    if target is None:
        return {}
    position = str(target["position"])
    return {
        "showIf": position,
        f"showIf.anyOf.{position}": [str(index) for index in condition["anyOf"]],
        "showIf.atLeast": "" if condition["atLeast"] is None else f"{condition['atLeast']:g}".replace(".", ","),
        "showIf.atMost": "" if condition["atMost"] is None else f"{condition['atMost']:g}".replace(".", ","),
    }


def for_question(problem: Problem, index: int) -> Problem | None:
    """The API names fields of the list (`questions.3.options`): the editor of question 3 shows it at `options`;
    a problem of another question is None (the builder's page shows it)."""
    prefix = f"questions.{index}"
    if problem.field is None or not (problem.field == prefix or problem.field.startswith(prefix + ".")):
        return None
    return Problem(problem.message, problem.code, problem.field.removeprefix(prefix).lstrip(".") or "prompt")


# The survey's own settings.


def local_input(value: str | None) -> str:
    """An API time as a `datetime-local` field's value, in the towns' time."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(TOWN_TIME).strftime("%Y-%m-%dT%H:%M")


def api_time(value: str, name: str, problems: list[Problem]) -> str | None:
    """A `datetime-local` value (towns' time) for the API, with its offset."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=TOWN_TIME).isoformat()
    except ValueError:
        problems.append(Problem("Bitte Datum und Uhrzeit angeben, z. B. 2026-12-20T18:00.", None, name))
        return None


SETTINGS_FIELDS = ("title", "description", "strategyAreaId", "opensAt", "closesAt", "audience")


def settings_from_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any], list[Problem]]:
    """The settings for `draftSurvey`/`updateSurvey` (without ids), the typed values, and the form's own problems."""
    values: dict[str, Any] = {name: text(form, name) for name in SETTINGS_FIELDS}
    values["isAnonymous"] = form.get("isAnonymous") == "ja"
    values["resultsPublic"] = form.get("resultsPublic") == "ja"
    problems: list[Problem] = []
    settings: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"],
        "opensAt": api_time(values["opensAt"], "opensAt", problems),
        "closesAt": api_time(values["closesAt"], "closesAt", problems),
        "audience": values["audience"] if values["audience"] in ("RESIDENTS", "EVERYONE") else "EVERYONE",
        "isAnonymous": values["isAnonymous"],
        "resultsPublic": values["resultsPublic"],
        "strategyAreaId": values["strategyAreaId"] or None,
    }
    if settings["closesAt"] is None and not problems:
        problems.append(Problem("Bitte angeben, bis wann geantwortet werden kann.", None, "closesAt"))
    return settings, values, problems


def settings_values(survey: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": survey["title"],
        "description": survey["description"],
        "strategyAreaId": (survey["strategyArea"] or {}).get("id", ""),
        "opensAt": local_input(survey["opensAt"]),
        "closesAt": local_input(survey["closesAt"]),
        "audience": survey["audience"],
        "isAnonymous": survey["isAnonymous"],
        "resultsPublic": survey["resultsPublic"],
    }
