"""A rating with 1 to `stars` stars (e.g. "How do you like the new market square?"); results like a scale's."""

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
    values,
    whole_number,
)
from service.surveys.models import Answer, QuestionKind

STARS_MIN, STARS_MAX = 3, 10


class RatingSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.RATING

    stars: int = 5


class Rating(AnsweredWithValue):
    kind = QuestionKind.RATING
    settings_type = RatingSettings

    def clean_settings(self, settings: RatingSettings, field: str) -> RatingSettings:
        if not STARS_MIN <= settings.stars <= STARS_MAX:
            raise invalid(f"Eine Bewertung hat {STARS_MIN} bis {STARS_MAX} Sterne.", f"{field}.stars")
        return settings

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: RatingSettings = question.settings
        return whole_number(question, answer, 1, settings.stars)

    def aggregate(self, settings: RatingSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return values(answers, range(1, settings.stars + 1))


KIND = Rating()
