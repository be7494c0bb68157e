"""Survey questions in GraphQL: one type per kind behind the `SurveyQuestion` interface, and the `@oneOf`
settings input with one member per kind (named like the kind, as is the field that carries a type's settings).

The flat per-kind fields of the interface and of `SurveyQuestionInput` (`options`, `scaleMin`, …) are the
previous form, deprecated and kept for one release.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry.relay import to_base64

from service.kit.errors import UserError
from service.surveys.definition import QuestionSpec
from service.surveys.kinds import parse_settings, settings_of
from service.surveys.kinds.base import Settings, ShowIf, invalid
from service.surveys.models import Question, QuestionKind

strawberry.enum(QuestionKind, name="SurveyQuestionKind")

LEGACY = "Read the settings field named like the kind (`scale { min max }`); removed in the next release."
LEGACY_INPUT = "Give `settings`; removed in the next release."


def question_gid(question_id: Any) -> strawberry.ID:
    return strawberry.ID(to_base64("SurveyQuestion", str(question_id)))


@strawberry.type(name="SurveyShowIf", description="The question is shown only if an earlier one was answered so.")
class ShowIfType:
    question_id: strawberry.ID
    any_of: list[int] = strawberry.field(description="Choice questions: one of these options was chosen.")
    at_least: float | None
    at_most: float | None


# What each kind's settings look like in answers (types) and in `setSurveyQuestions` (inputs).


@strawberry.type(name="SurveySingleChoiceSettings")
class SingleChoiceSettingsType:
    options: list[str] = strawberry.field(description="Answers name them by index.")
    allow_other: bool = strawberry.field(description="An own answer as text is allowed.")


@strawberry.input(name="SurveySingleChoiceSettingsInput")
class SingleChoiceSettingsInput:
    options: list[str] = strawberry.field(description="2 to 50.")
    allow_other: bool = False


@strawberry.type(name="SurveyMultipleChoiceSettings")
class MultipleChoiceSettingsType:
    options: list[str] = strawberry.field(description="Answers name them by index.")
    allow_other: bool = strawberry.field(description="An own answer as text is allowed (it counts as one).")
    min_selections: int
    max_selections: int


@strawberry.input(name="SurveyMultipleChoiceSettingsInput")
class MultipleChoiceSettingsInput:
    options: list[str] = strawberry.field(description="2 to 50.")
    allow_other: bool = False
    min_selections: int = 1
    max_selections: int | None = strawberry.field(default=None, description="Default: all.")


@strawberry.type(name="SurveyFreeTextSettings")
class FreeTextSettingsType:
    max_length: int


@strawberry.input(name="SurveyFreeTextSettingsInput")
class FreeTextSettingsInput:
    max_length: int = strawberry.field(default=5000, description="1 to 5 000.")


@strawberry.type(name="SurveyScaleSettings")
class ScaleSettingsType:
    min: int
    max: int
    min_label: str
    max_label: str


@strawberry.input(name="SurveyScaleSettingsInput", description="From -10 to 100, 2 to 21 steps.")
class ScaleSettingsInput:
    min: int = 1
    max: int = 5
    min_label: str = ""
    max_label: str = ""


@strawberry.type(name="SurveyRankingSettings")
class RankingSettingsType:
    options: list[str] = strawberry.field(description="Answers give every index once, most preferred first.")


@strawberry.input(name="SurveyRankingSettingsInput")
class RankingSettingsInput:
    options: list[str] = strawberry.field(description="2 to 20.")


@strawberry.type(name="SurveyNumberSettings")
class NumberSettingsType:
    min: float | None
    max: float | None


@strawberry.input(name="SurveyNumberSettingsInput")
class NumberSettingsInput:
    min: float | None = None
    max: float | None = None


@strawberry.type(name="SurveyRatingSettings")
class RatingSettingsType:
    stars: int = strawberry.field(description="Answers give 1 to this many stars.")


@strawberry.input(name="SurveyRatingSettingsInput")
class RatingSettingsInput:
    stars: int = strawberry.field(default=5, description="3 to 10.")


@strawberry.input(name="SurveyQuestionSettingsInput", one_of=True, description="Exactly one: the question's kind.")
class SettingsInput:
    single_choice: SingleChoiceSettingsInput | None = strawberry.UNSET
    multiple_choice: MultipleChoiceSettingsInput | None = strawberry.UNSET
    free_text: FreeTextSettingsInput | None = strawberry.UNSET
    scale: ScaleSettingsInput | None = strawberry.UNSET
    ranking: RankingSettingsInput | None = strawberry.UNSET
    number: NumberSettingsInput | None = strawberry.UNSET
    rating: RatingSettingsInput | None = strawberry.UNSET


# The questions.


@strawberry.interface(name="SurveyQuestion", description="One question; its type says its kind and settings.")
class QuestionType:
    id: strawberry.ID
    position: int
    kind: QuestionKind
    prompt: str
    help_text: str
    required: bool
    show_if: ShowIfType | None
    options: list[str] = strawberry.field(deprecation_reason=LEGACY)
    allow_other: bool = strawberry.field(deprecation_reason=LEGACY)
    min_selections: int | None = strawberry.field(deprecation_reason=LEGACY)
    max_selections: int | None = strawberry.field(deprecation_reason=LEGACY)
    max_length: int | None = strawberry.field(deprecation_reason=LEGACY)
    scale_min: int | None = strawberry.field(deprecation_reason=LEGACY)
    scale_max: int | None = strawberry.field(deprecation_reason=LEGACY)
    min_label: str | None = strawberry.field(deprecation_reason=LEGACY)
    max_label: str | None = strawberry.field(deprecation_reason=LEGACY)
    number_min: float | None = strawberry.field(deprecation_reason=LEGACY)
    number_max: float | None = strawberry.field(deprecation_reason=LEGACY)

    @classmethod
    def from_row(cls, row: Question) -> QuestionType:
        """The type of the row's kind; an unknown kind raises (`service.surveys.kinds.UnknownKind`)."""
        settings = settings_of(row)
        kind = settings.KIND
        question_type, settings_type = QUESTION_TYPES[kind]
        return question_type(
            **_common(row, settings), **{kind.value: settings_type(**dict(settings))}, **_legacy(settings)
        )


def _common(row: Question, settings: Settings) -> dict[str, Any]:
    condition = row.show_if
    return {
        "id": question_gid(row.id),
        "position": row.position,
        "kind": settings.KIND,
        "prompt": row.prompt,
        "help_text": row.help_text,
        "required": row.required,
        "show_if": ShowIfType(
            question_id=question_gid(condition["question_id"]),
            any_of=list(condition["any_of"]),
            at_least=condition["at_least"],
            at_most=condition["at_most"],
        )
        if condition
        else None,
    }


def _legacy(settings: Settings) -> dict[str, Any]:
    """The deprecated flat fields, as they were filled before the per-kind types."""
    values = dict(settings)
    kind = settings.KIND
    single = kind is QuestionKind.SINGLE_CHOICE
    return {
        "options": list(values.get("options", [])),
        "allow_other": bool(values.get("allow_other", False)),
        "min_selections": 1 if single else values.get("min_selections"),
        "max_selections": 1 if single else values.get("max_selections"),
        "max_length": values.get("max_length"),
        "scale_min": values["min"] if kind is QuestionKind.SCALE else None,
        "scale_max": values["max"] if kind is QuestionKind.SCALE else None,
        "min_label": values.get("min_label"),
        "max_label": values.get("max_label"),
        "number_min": values["min"] if kind is QuestionKind.NUMBER else None,
        "number_max": values["max"] if kind is QuestionKind.NUMBER else None,
    }


def _question_type(kind: QuestionKind, settings_type: type[Any], description: str | None) -> type[QuestionType]:
    """`Survey<Kind>Question`: the interface's fields and the kind's settings in a field named like the kind."""
    camel = "".join(part.title() for part in kind.value.split("_"))
    body = type(
        f"{camel}QuestionType",
        (QuestionType,),
        {"__annotations__": {kind.value: settings_type}, "__module__": __name__},
    )
    return strawberry.type(body, name=f"Survey{camel}Question", description=description)


# Per kind: the question type (built from the kind, its settings type and a description) and its settings type.
QUESTION_TYPES: dict[QuestionKind, tuple[type[QuestionType], type[Any]]] = {
    kind: (_question_type(kind, settings_type, description), settings_type)
    for kind, settings_type, description in (
        (QuestionKind.SINGLE_CHOICE, SingleChoiceSettingsType, None),
        (QuestionKind.MULTIPLE_CHOICE, MultipleChoiceSettingsType, None),
        (QuestionKind.FREE_TEXT, FreeTextSettingsType, "Free text is shown to the town's staff only."),
        (QuestionKind.SCALE, ScaleSettingsType, None),
        (QuestionKind.RANKING, RankingSettingsType, None),
        (QuestionKind.NUMBER, NumberSettingsType, None),
        (QuestionKind.RATING, RatingSettingsType, "A rating with stars; answered with `value`."),
    )
}


# `setSurveyQuestions`.


@strawberry.input(
    description="Show the question only if the earlier question at `questionIndex` (0-based, in this list) was "
    "answered: choice questions with one of `anyOf`; scale, number and rating within `atLeast`/`atMost`; free "
    "text and ranking at all (give neither)."
)
class ShowIfInput:
    question_index: int
    any_of: list[int] = strawberry.field(default_factory=list)
    at_least: float | None = None
    at_most: float | None = None


@strawberry.input(description="Give `settings`; `kind` and the flat settings fields are the deprecated form.")
class SurveyQuestionInput:
    prompt: str = strawberry.field(description="1 to 500 characters.")
    settings: SettingsInput | None = None
    help_text: str = ""
    required: bool = False
    show_if: ShowIfInput | None = None
    kind: QuestionKind | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    options: list[str] = strawberry.field(default_factory=list, deprecation_reason=LEGACY_INPUT)
    allow_other: bool = strawberry.field(default=False, deprecation_reason=LEGACY_INPUT)
    min_selections: int | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    max_selections: int | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    max_length: int | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    scale_min: int | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    scale_max: int | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    min_label: str = strawberry.field(default="", deprecation_reason=LEGACY_INPUT)
    max_label: str = strawberry.field(default="", deprecation_reason=LEGACY_INPUT)
    number_min: float | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)
    number_max: float | None = strawberry.field(default=None, deprecation_reason=LEGACY_INPUT)


LEGACY_FIELDS = (
    "options",
    "allow_other",
    "min_selections",
    "max_selections",
    "max_length",
    "scale_min",
    "scale_max",
    "min_label",
    "max_label",
    "number_min",
    "number_max",
)


def _legacy_values(value: SurveyQuestionInput, kind: QuestionKind) -> dict[str, Any]:
    """The flat fields given (not left at their defaults), named as the kind's settings name them."""
    given = {name: getattr(value, name) for name in LEGACY_FIELDS if getattr(value, name) not in (None, False, "", [])}
    prefix = {QuestionKind.SCALE: "scale_", QuestionKind.NUMBER: "number_"}.get(kind)
    return {name.removeprefix(prefix) if prefix else name: item for name, item in given.items()}


def _settings(value: SurveyQuestionInput, field: str) -> Settings:
    if value.settings is None:
        if value.kind is None:
            raise parse_error(f"{field}.settings")
        return parse_settings(value.kind, _legacy_values(value, value.kind), field)
    chosen = [item for item in dataclasses.fields(value.settings) if getattr(value.settings, item.name)]
    if len(chosen) != 1:  # the @oneOf rule has refused this already
        raise parse_error(f"{field}.settings")
    kind = QuestionKind(chosen[0].name)
    if value.kind is not None and value.kind is not kind:
        raise parse_error(f"{field}.kind")
    if _legacy_values(value, kind):
        raise parse_error(f"{field}.settings")
    return parse_settings(kind, vars(getattr(value.settings, kind.value)), field)


def parse_error(field: str) -> UserError:
    return invalid("Bitte die Art der Frage mit genau einer Angabe in `settings` nennen.", field)


def question_spec(value: SurveyQuestionInput, index: int) -> QuestionSpec:
    condition = value.show_if
    return QuestionSpec(
        prompt=value.prompt,
        settings=_settings(value, f"questions.{index}"),
        help_text=value.help_text,
        required=value.required,
        show_if=ShowIf(
            question_index=condition.question_index,
            any_of=tuple(condition.any_of),
            at_least=condition.at_least,
            at_most=condition.at_most,
        )
        if condition
        else None,
    )
