"""A scale of whole numbers from `min` to `max` (e.g. 1 to 5 or 0 to 10), with optional labels at both ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from service.surveys.kinds.base import (
    AnsweredWithValue,
    AnswerInput,
    Asked,
    CleanAnswer,
    Settings,
    invalid,
    label,
    values,
    whole_number,
)
from service.surveys.models import Answer, QuestionKind

LOWEST, HIGHEST, STEPS_MAX = -10, 100, 21


class ScaleSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.SCALE

    min: int = 1
    max: int = 5
    min_label: str = ""
    max_label: str = ""


class Scale(AnsweredWithValue):
    kind = QuestionKind.SCALE
    settings_type = ScaleSettings

    def clean_settings(self, settings: ScaleSettings, field: str) -> ScaleSettings:
        low, high = settings.min, settings.max
        if not LOWEST <= low < high <= HIGHEST or high - low + 1 > STEPS_MAX:
            raise invalid(f"Eine Skala reicht von {LOWEST} bis {HIGHEST} mit 2 bis {STEPS_MAX} Stufen.", f"{field}.min")
        return ScaleSettings(
            min=low,
            max=high,
            min_label=label(settings.min_label, f"{field}.minLabel"),
            max_label=label(settings.max_label, f"{field}.maxLabel"),
        )

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: ScaleSettings = question.settings
        return whole_number(question, answer, settings.min, settings.max)

    def aggregate(self, settings: ScaleSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return values(answers, range(settings.min, settings.max + 1))


KIND = Scale()
