"""Single choice: exactly one option, or an own answer as text when `allow_other`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from service.surveys.kinds import choice
from service.surveys.kinds.base import AnswerInput, Asked, CleanAnswer, Settings, ShowIf, option_condition, option_holds
from service.surveys.models import Answer, QuestionKind


class SingleChoiceSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.SINGLE_CHOICE

    options: list[str]
    allow_other: bool = False


class SingleChoice:
    kind = QuestionKind.SINGLE_CHOICE
    settings_type = SingleChoiceSettings

    def clean_settings(self, settings: SingleChoiceSettings, field: str) -> SingleChoiceSettings:
        return SingleChoiceSettings(options=choice.options(settings.options, field), allow_other=settings.allow_other)

    def check_condition(self, settings: SingleChoiceSettings, condition: ShowIf, field: str) -> None:
        option_condition(len(settings.options), condition, field)

    def condition_holds(self, condition: dict[str, Any], answer: CleanAnswer) -> bool:
        return option_holds(condition, answer)

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: SingleChoiceSettings = question.settings
        return choice.check(question, answer, settings.options, settings.allow_other, least=1, most=1)

    def aggregate(self, settings: SingleChoiceSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return choice.aggregate(settings.options, answers)

    def csv_cell(self, settings: SingleChoiceSettings, answer: Answer) -> str:
        return choice.cell(settings.options, answer)


KIND = SingleChoice()
