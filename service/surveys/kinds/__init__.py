"""The question kinds, one module each (see `base.Kind`), keyed by `QuestionKind`.

An unknown kind is an error wherever it is met: `kind_of` raises instead of treating it as some other kind.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from service.surveys.kinds import free_text, multiple_choice, number, ranking, rating, scale, single_choice
from service.surveys.kinds.base import Asked, Kind, Settings, camel, invalid
from service.surveys.models import Question, QuestionKind

KINDS: dict[QuestionKind, Kind[Any]] = {
    module.KIND.kind: module.KIND
    for module in (single_choice, multiple_choice, free_text, scale, ranking, number, rating)
}


class UnknownKind(LookupError):
    """A kind no module provides: a programming or data error, never a person's mistake."""


def kind_of(kind: str) -> Kind[Any]:
    try:
        return KINDS[QuestionKind(kind)]
    except (ValueError, KeyError):
        raise UnknownKind(f"unknown survey question kind {kind!r}") from None


def settings_of(question: Question) -> Settings:
    """The question's stored settings, typed by its kind."""
    settings: Settings = TypeAdapter(kind_of(question.kind).settings_type).validate_python(question.settings)
    return settings


def asked(question: Question) -> Asked:
    return Asked(id=question.id, position=question.position, settings=settings_of(question))


def parse_settings(kind: QuestionKind, values: dict[str, Any], field: str) -> Settings:
    """Settings of `kind` from plain values (named as the model names them); a value of another kind, or of the
    wrong type, is a German `UserError` naming `field.<setting>`."""
    try:
        settings: Settings = TypeAdapter(kind_of(kind).settings_type).validate_python(values)
    except ValidationError as error:
        problems = error.errors()
        foreign = sorted(camel(str(item["loc"][0])) for item in problems if item["type"] == "extra_forbidden")
        if foreign:
            message = f"Angaben, die zu dieser Fragenart nicht passen: {', '.join(foreign)}."
            raise invalid(message, f"{field}.{foreign[0]}") from None
        name = camel(str(problems[0]["loc"][0])) if problems[0]["loc"] else "settings"
        raise invalid("Diese Angabe fehlt oder passt nicht zu dieser Fragenart.", f"{field}.{name}") from None
    return settings
