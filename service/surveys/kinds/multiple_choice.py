"""Multiple choice: `min_selections` to `max_selections` options (an own answer counts as one)."""

from __future__ import annotations

from typing import ClassVar

from service.surveys.kinds import choice
from service.surveys.kinds.base import (
    AnswerInput,
    Asked,
    CleanAnswer,
    invalid,
)
from service.surveys.models import QuestionKind


class MultipleChoiceSettings(choice.ChoiceSettings):
    KIND: ClassVar[QuestionKind] = QuestionKind.MULTIPLE_CHOICE

    min_selections: int = 1
    max_selections: int | None = None  # given: all options (and the own answer); stored: always a number


class MultipleChoice(choice.ChoiceAnswers):
    kind = QuestionKind.MULTIPLE_CHOICE
    settings_type = MultipleChoiceSettings

    def clean_settings(self, settings: MultipleChoiceSettings, field: str) -> MultipleChoiceSettings:
        options = choice.options(settings.options, field)
        choosable = len(options) + int(settings.allow_other)
        least = settings.min_selections
        most = choosable if settings.max_selections is None else settings.max_selections
        if not 1 <= least <= most <= choosable:
            raise invalid(
                f"Mindest- und Höchstzahl der Auswahl müssen zwischen 1 und {choosable} liegen, "
                "die Mindestzahl nicht über der Höchstzahl.",
                f"{field}.minSelections",
            )
        return MultipleChoiceSettings(
            options=options, allow_other=settings.allow_other, min_selections=least, max_selections=most
        )

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: MultipleChoiceSettings = question.settings
        most = len(settings.options) + 1 if settings.max_selections is None else settings.max_selections
        return choice.check(
            question, answer, settings.options, settings.allow_other, least=settings.min_selections, most=most
        )


KIND = MultipleChoice()
