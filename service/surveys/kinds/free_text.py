"""Free text up to `max_length` characters; never shown to the public (results keep it for staff only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from service.kit.spreadsheet import text_cell
from service.surveys.kinds.base import (
    AnsweredAtAll,
    AnswerInput,
    Asked,
    CleanAnswer,
    Settings,
    answer_text,
    invalid,
    only,
    refuse,
)
from service.surveys.models import Answer, QuestionKind

FREE_TEXT_MAX = 5000


class FreeTextSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.FREE_TEXT

    max_length: int = FREE_TEXT_MAX


class FreeText(AnsweredAtAll):
    kind = QuestionKind.FREE_TEXT
    settings_type = FreeTextSettings

    def clean_settings(self, settings: FreeTextSettings, field: str) -> FreeTextSettings:
        if not 1 <= settings.max_length <= FREE_TEXT_MAX:
            raise invalid(f"Die Höchstlänge liegt zwischen 1 und {FREE_TEXT_MAX} Zeichen.", f"{field}.maxLength")
        return settings

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: FreeTextSettings = question.settings
        only(question, answer, "text")
        text = answer_text(question, answer.text or "")
        if not 1 <= len(text) <= settings.max_length:
            raise refuse(question, f"Die Antwort hat 1 bis {settings.max_length} Zeichen.")
        return CleanAnswer(question.id, text=text)

    def aggregate(self, settings: FreeTextSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return {"texts": sorted(answer.text for answer in answers if answer.text)}

    def csv_cell(self, settings: FreeTextSettings, answer: Answer) -> str:
        return text_cell(answer.text or "")


KIND = FreeText()
