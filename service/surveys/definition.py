"""What staff may define: survey fields and questions of each kind. Every violation is a German user error."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.kit.errors import CommonErrorCode, UserError
from service.kit.text import clean_text
from service.surveys.errors import SurveyErrorCode
from service.surveys.kinds import kind_of
from service.surveys.kinds.base import Settings, ShowIf, invalid, text
from service.surveys.models import QuestionKind

DESCRIPTION_MAX = 5000
PROMPT_MAX = 500
HELP_TEXT_MAX = 1000
QUESTIONS_MAX = 100


@dataclass(frozen=True)
class QuestionSpec:
    """A question as staff define it; its kind is the kind of its settings."""

    prompt: str
    settings: Settings
    help_text: str = ""
    required: bool = False
    show_if: ShowIf | None = None


@dataclass(frozen=True)
class CleanQuestion:
    """A validated question, ready to be stored (ids are given here so that conditions can name them)."""

    id: uuid.UUID
    position: int
    kind: QuestionKind
    prompt: str
    help_text: str
    required: bool
    settings: Settings
    show_if: dict[str, Any] | None


def description(value: str) -> str:
    text = clean_text(value, field="description")
    if len(text) > DESCRIPTION_MAX:
        raise UserError(
            CommonErrorCode.BODY_TOO_LONG,
            f"Die Beschreibung darf höchstens {DESCRIPTION_MAX} Zeichen haben.",
            field="description",
        )
    return text


def window(opens_at: datetime | None, closes_at: datetime) -> None:
    if closes_at.tzinfo is None or (opens_at is not None and opens_at.tzinfo is None):
        raise UserError(SurveyErrorCode.SURVEY_DATES_INVALID, "Zeitpunkte brauchen eine Zeitzone.", field="closesAt")
    if opens_at is not None and opens_at >= closes_at:
        raise UserError(
            SurveyErrorCode.SURVEY_DATES_INVALID, "Die Umfrage muss vor ihrem Ende beginnen.", field="opensAt"
        )


def closes_in_future(closes_at: datetime, now: datetime) -> None:
    """A closing time already past would make a survey nobody can answer: refused while drafting, not at publish."""
    if closes_at <= now:
        raise UserError(
            SurveyErrorCode.SURVEY_DATES_INVALID, "Das Ende der Umfrage liegt in der Vergangenheit.", field="closesAt"
        )


def _condition(spec: QuestionSpec, index: int, earlier: Sequence[CleanQuestion], field: str) -> dict[str, Any] | None:
    condition = spec.show_if
    if condition is None:
        return None
    if not 0 <= condition.question_index < index:
        raise invalid("Eine Bedingung kann sich nur auf eine frühere Frage beziehen.", f"{field}.showIf")
    target = earlier[condition.question_index]
    kind_of(target.kind).check_condition(target.settings, condition, f"{field}.showIf")
    return {
        "question_id": str(target.id),
        "any_of": sorted(set(condition.any_of)),
        "at_least": condition.at_least,
        "at_most": condition.at_most,
    }


def questions(specs: Sequence[QuestionSpec]) -> list[CleanQuestion]:
    """Validate a whole list of questions in order; positions follow the list."""
    if len(specs) > QUESTIONS_MAX:
        raise invalid(f"Eine Umfrage hat höchstens {QUESTIONS_MAX} Fragen.", "questions")
    clean: list[CleanQuestion] = []
    for index, spec in enumerate(specs):
        field = f"questions.{index}"
        kind = kind_of(spec.settings.KIND)
        clean.append(
            CleanQuestion(
                id=uuid.uuid4(),
                position=index,
                kind=kind.kind,
                prompt=text(spec.prompt, field=f"{field}.prompt", minimum=1, maximum=PROMPT_MAX, what="Die Frage"),
                help_text=text(spec.help_text, field=f"{field}.helpText", maximum=HELP_TEXT_MAX, what="Der Hinweis"),
                required=spec.required,
                settings=kind.clean_settings(spec.settings, field),
                show_if=_condition(spec, index, clean, field),
            )
        )
    return clean
