"""A number, optionally within `min` and `max`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from service.surveys.kinds.base import (
    AnsweredWithValue,
    AnswerInput,
    Asked,
    CleanAnswer,
    Settings,
    invalid,
    only,
    refuse,
    values,
)
from service.surveys.models import Answer, QuestionKind


class NumberSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.NUMBER

    min: float | None = None
    max: float | None = None


class Number(AnsweredWithValue):
    kind = QuestionKind.NUMBER
    settings_type = NumberSettings

    def clean_settings(self, settings: NumberSettings, field: str) -> NumberSettings:
        if any(bound is not None and not math.isfinite(bound) for bound in (settings.min, settings.max)):
            raise invalid("Grenzen müssen endliche Zahlen sein.", f"{field}.min")
        if settings.min is not None and settings.max is not None and settings.min > settings.max:
            raise invalid("Die Untergrenze liegt über der Obergrenze.", f"{field}.min")
        return settings

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: NumberSettings = question.settings
        only(question, answer, "value")
        low, high, value = settings.min, settings.max, answer.value
        if value is None or not math.isfinite(value):
            raise refuse(question, "Bitte eine Zahl angeben.")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = " ".join(
                part
                for part in (f"ab {low:g}" if low is not None else "", f"bis {high:g}" if high is not None else "")
                if part
            )
            raise refuse(question, f"Die Zahl muss im Bereich {bounds} liegen.")
        return CleanAnswer(question.id, number=value)

    def aggregate(self, settings: NumberSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return values(answers)


KIND = Number()
