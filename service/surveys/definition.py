"""What staff may define: survey fields and questions of each kind. Every violation is a German user error."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.errors import CommonErrorCode, UserError
from service.ideas.validation import clean_line, clean_text
from service.surveys.errors import SurveyErrorCode
from service.surveys.models import QuestionKind

TITLE_MIN, TITLE_MAX = 5, 140
DESCRIPTION_MAX = 5000
PROMPT_MAX = 500
HELP_TEXT_MAX = 1000
LABEL_MAX = 100
OPTION_MAX = 200
QUESTIONS_MAX = 100
OPTIONS_MIN, OPTIONS_MAX = 2, 50
RANKING_OPTIONS_MAX = 20
FREE_TEXT_MAX = 5000
SCALE_LOWEST, SCALE_HIGHEST, SCALE_STEPS_MAX = -10, 100, 21

CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
VALUE_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NUMBER})


@dataclass(frozen=True)
class ShowIf:
    """Show a question only if an earlier one (by its index in the list) was answered in a certain way.

    Choice questions: one of `any_of` was chosen. Scale and number: the value lies within `at_least`/`at_most`.
    Free text and ranking: the question was answered at all (neither is given).
    """

    question_index: int
    any_of: tuple[int, ...] = ()
    at_least: float | None = None
    at_most: float | None = None


@dataclass(frozen=True)
class QuestionSpec:
    kind: QuestionKind
    prompt: str
    help_text: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    allow_other: bool = False
    min_selections: int | None = None
    max_selections: int | None = None
    max_length: int | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    min_label: str = ""
    max_label: str = ""
    number_min: float | None = None
    number_max: float | None = None
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
    settings: dict[str, Any]
    show_if: dict[str, Any] | None


def _invalid(message: str, field: str) -> UserError:
    return UserError(SurveyErrorCode.QUESTION_INVALID, message, field=field)


def title(value: str) -> str:
    text = clean_line(value, field="title")
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        raise UserError(
            CommonErrorCode.TITLE_LENGTH,
            f"Der Titel muss {TITLE_MIN} bis {TITLE_MAX} Zeichen lang sein.",
            field="title",
        )
    return text


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


def _text(value: str, *, field: str, maximum: int, minimum: int = 0, what: str, line: bool = False) -> str:
    text = clean_line(value, field=field) if line else clean_text(value, field=field)
    if not minimum <= len(text) <= maximum:
        raise _invalid(f"{what} hat {minimum} bis {maximum} Zeichen.", field)
    return text


def _options(spec: QuestionSpec, field: str, maximum: int) -> list[str]:
    if not OPTIONS_MIN <= len(spec.options) <= maximum:
        raise _invalid(f"Diese Frage braucht {OPTIONS_MIN} bis {maximum} Antwortmöglichkeiten.", f"{field}.options")
    options = [
        _text(
            option, field=f"{field}.options", minimum=1, maximum=OPTION_MAX, what="Eine Antwortmöglichkeit", line=True
        )
        for option in spec.options
    ]
    if len(set(options)) != len(options):
        raise _invalid("Antwortmöglichkeiten dürfen sich nicht wiederholen.", f"{field}.options")
    return options


def _no_foreign_settings(spec: QuestionSpec, field: str, allowed: set[str]) -> None:
    given = {
        "options": bool(spec.options),
        "allowOther": spec.allow_other,
        "minSelections": spec.min_selections is not None,
        "maxSelections": spec.max_selections is not None,
        "maxLength": spec.max_length is not None,
        "scaleMin": spec.scale_min is not None,
        "scaleMax": spec.scale_max is not None,
        "minLabel": bool(spec.min_label),
        "maxLabel": bool(spec.max_label),
        "numberMin": spec.number_min is not None,
        "numberMax": spec.number_max is not None,
    }
    foreign = sorted(name for name, present in given.items() if present and name not in allowed)
    if foreign:
        raise _invalid(f"Angaben, die zu dieser Fragenart nicht passen: {', '.join(foreign)}.", f"{field}.{foreign[0]}")


def _settings(spec: QuestionSpec, field: str) -> dict[str, Any]:
    kind = spec.kind
    if kind is QuestionKind.SINGLE_CHOICE:
        _no_foreign_settings(spec, field, {"options", "allowOther"})
        return {"options": _options(spec, field, OPTIONS_MAX), "allow_other": spec.allow_other}
    if kind is QuestionKind.MULTIPLE_CHOICE:
        _no_foreign_settings(spec, field, {"options", "allowOther", "minSelections", "maxSelections"})
        options = _options(spec, field, OPTIONS_MAX)
        choosable = len(options) + int(spec.allow_other)
        least = 1 if spec.min_selections is None else spec.min_selections
        most = choosable if spec.max_selections is None else spec.max_selections
        if not 1 <= least <= most <= choosable:
            raise _invalid(
                f"Mindest- und Höchstzahl der Auswahl müssen zwischen 1 und {choosable} liegen, "
                "die Mindestzahl nicht über der Höchstzahl.",
                f"{field}.minSelections",
            )
        return {"options": options, "allow_other": spec.allow_other, "min_selections": least, "max_selections": most}
    if kind is QuestionKind.FREE_TEXT:
        _no_foreign_settings(spec, field, {"maxLength"})
        longest = FREE_TEXT_MAX if spec.max_length is None else spec.max_length
        if not 1 <= longest <= FREE_TEXT_MAX:
            raise _invalid(f"Die Höchstlänge liegt zwischen 1 und {FREE_TEXT_MAX} Zeichen.", f"{field}.maxLength")
        return {"max_length": longest}
    if kind is QuestionKind.SCALE:
        _no_foreign_settings(spec, field, {"scaleMin", "scaleMax", "minLabel", "maxLabel"})
        low = 1 if spec.scale_min is None else spec.scale_min
        high = 5 if spec.scale_max is None else spec.scale_max
        if not SCALE_LOWEST <= low < high <= SCALE_HIGHEST or high - low + 1 > SCALE_STEPS_MAX:
            raise _invalid(
                f"Eine Skala reicht von {SCALE_LOWEST} bis {SCALE_HIGHEST} mit 2 bis {SCALE_STEPS_MAX} Stufen.",
                f"{field}.scaleMin",
            )
        labels = [
            _text(label, field=f"{field}.{name}", maximum=LABEL_MAX, what="Eine Beschriftung", line=True)
            for label, name in ((spec.min_label, "minLabel"), (spec.max_label, "maxLabel"))
        ]
        return {"min": low, "max": high, "min_label": labels[0], "max_label": labels[1]}
    if kind is QuestionKind.RANKING:
        _no_foreign_settings(spec, field, {"options"})
        return {"options": _options(spec, field, RANKING_OPTIONS_MAX)}
    _no_foreign_settings(spec, field, {"numberMin", "numberMax"})
    bounds = [spec.number_min, spec.number_max]
    if any(bound is not None and not math.isfinite(bound) for bound in bounds):
        raise _invalid("Grenzen müssen endliche Zahlen sein.", f"{field}.numberMin")
    if spec.number_min is not None and spec.number_max is not None and spec.number_min > spec.number_max:
        raise _invalid("Die Untergrenze liegt über der Obergrenze.", f"{field}.numberMin")
    return {"min": spec.number_min, "max": spec.number_max}


def _condition(spec: QuestionSpec, index: int, earlier: Sequence[CleanQuestion], field: str) -> dict[str, Any] | None:
    condition = spec.show_if
    if condition is None:
        return None
    if not 0 <= condition.question_index < index:
        raise _invalid("Eine Bedingung kann sich nur auf eine frühere Frage beziehen.", f"{field}.showIf")
    target = earlier[condition.question_index]
    has_range = condition.at_least is not None or condition.at_most is not None
    if target.kind in CHOICE_KINDS:
        count = len(target.settings["options"])
        if has_range or not condition.any_of or any(not 0 <= option < count for option in condition.any_of):
            raise _invalid(
                "Eine Bedingung auf eine Auswahlfrage nennt eine oder mehrere ihrer Antwortmöglichkeiten.",
                f"{field}.showIf",
            )
    elif target.kind in VALUE_KINDS:
        bounds = [bound for bound in (condition.at_least, condition.at_most) if bound is not None]
        if condition.any_of or not bounds or not all(math.isfinite(bound) for bound in bounds):
            raise _invalid("Eine Bedingung auf eine Skala oder Zahl nennt einen Bereich.", f"{field}.showIf")
        if condition.at_least is not None and condition.at_most is not None and condition.at_least > condition.at_most:
            raise _invalid("Der Bereich der Bedingung ist leer.", f"{field}.showIf")
    elif condition.any_of or has_range:
        raise _invalid("Bei Freitext und Rangfolge zählt nur, ob die Frage beantwortet wurde.", f"{field}.showIf")
    return {
        "question_id": str(target.id),
        "any_of": sorted(set(condition.any_of)),
        "at_least": condition.at_least,
        "at_most": condition.at_most,
    }


def questions(specs: Sequence[QuestionSpec]) -> list[CleanQuestion]:
    """Validate a whole list of questions in order; positions follow the list."""
    if len(specs) > QUESTIONS_MAX:
        raise _invalid(f"Eine Umfrage hat höchstens {QUESTIONS_MAX} Fragen.", "questions")
    clean: list[CleanQuestion] = []
    for index, spec in enumerate(specs):
        field = f"questions.{index}"
        clean.append(
            CleanQuestion(
                id=uuid.uuid4(),
                position=index,
                kind=spec.kind,
                prompt=_text(spec.prompt, field=f"{field}.prompt", minimum=1, maximum=PROMPT_MAX, what="Die Frage"),
                help_text=_text(spec.help_text, field=f"{field}.helpText", maximum=HELP_TEXT_MAX, what="Der Hinweis"),
                required=spec.required,
                settings=_settings(spec, field),
                show_if=_condition(spec, index, clean, field),
            )
        )
    return clean
