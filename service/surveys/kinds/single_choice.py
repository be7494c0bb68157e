"""Single choice: exactly one option, or an own answer as text when `allow_other`."""

from __future__ import annotations

from typing import ClassVar

from service.surveys.kinds import choice
from service.surveys.kinds.base import AnswerInput, Asked, CleanAnswer
from service.surveys.models import QuestionKind


class SingleChoiceSettings(choice.ChoiceSettings):
    KIND: ClassVar[QuestionKind] = QuestionKind.SINGLE_CHOICE


class SingleChoice(choice.ChoiceAnswers):
    kind = QuestionKind.SINGLE_CHOICE
    settings_type = SingleChoiceSettings

    def clean_settings(self, settings: SingleChoiceSettings, field: str) -> SingleChoiceSettings:
        return SingleChoiceSettings(options=choice.options(settings.options, field), allow_other=settings.allow_other)

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: SingleChoiceSettings = question.settings
        return choice.check(question, answer, settings.options, settings.allow_other, least=1, most=1)


KIND = SingleChoice()
