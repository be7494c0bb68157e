"""Ranking: every option once, most preferred first; results as Borda scores and average places."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar

from service.kit.spreadsheet import text_cell
from service.surveys.kinds import base
from service.surveys.kinds.base import (
    AnsweredAtAll,
    AnswerInput,
    Asked,
    CleanAnswer,
    Settings,
)
from service.surveys.models import Answer, QuestionKind

OPTIONS_MAX = 20


class RankingSettings(Settings):
    KIND: ClassVar[QuestionKind] = QuestionKind.RANKING

    options: list[str]


class Ranking(AnsweredAtAll):
    kind = QuestionKind.RANKING
    settings_type = RankingSettings

    def clean_settings(self, settings: RankingSettings, field: str) -> RankingSettings:
        return RankingSettings(options=base.options(settings.options, f"{field}.options", OPTIONS_MAX))

    def check_answer(self, question: Asked, answer: AnswerInput) -> CleanAnswer:
        settings: RankingSettings = question.settings
        base.only(question, answer, "optionIndexes")
        order = list(answer.option_indexes or ())
        if sorted(order) != list(range(len(settings.options))):
            raise base.refuse(question, "Bitte jede Antwortmöglichkeit genau einmal in eine Reihenfolge bringen.")
        return CleanAnswer(question.id, option_indexes=order)

    def aggregate(self, settings: RankingSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        """Borda count: with n options, first place earns n points, last place 1; plus the average place."""
        size = len(settings.options)
        points: Counter[int] = Counter()
        places: defaultdict[int, list[int]] = defaultdict(list)
        for answer in answers:
            for place, index in enumerate(answer.option_indexes or ()):
                points[index] += size - place
                places[index].append(place + 1)
        return {
            "rank_scores": [
                {
                    "index": index,
                    "score": points[index],
                    "average_place": round(statistics.fmean(places[index]), 4) if places[index] else None,
                }
                for index in range(size)
            ]
        }

    def csv_cell(self, settings: RankingSettings, answer: Answer) -> str:
        return text_cell(" > ".join(settings.options[index] for index in answer.option_indexes or ()))


KIND = Ranking()
