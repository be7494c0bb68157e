"""What single and multiple choice share: options, the "other" text, counts and shares."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from service.kit.spreadsheet import text_cell
from service.surveys.kinds import base
from service.surveys.kinds.base import AnswerInput, Asked, CleanAnswer, Settings, ShowIf, option_condition, option_holds
from service.surveys.models import Answer

OPTIONS_MAX = 50
OTHER_TEXT_MAX = 200


def options(given: Sequence[str], field: str) -> list[str]:
    return base.options(given, f"{field}.options", OPTIONS_MAX)


def check(
    question: Asked, answer: AnswerInput, labels: Sequence[str], allow_other: bool, *, least: int, most: int
) -> CleanAnswer:
    base.only(question, answer, "optionIndexes", "otherText")
    chosen = list(answer.option_indexes or ())
    if len(set(chosen)) != len(chosen) or any(not 0 <= index < len(labels) for index in chosen):
        raise base.refuse(question, "Diese Antwortmöglichkeit gibt es nicht.")
    other = None
    if answer.other_text is not None:
        if not allow_other:
            raise base.refuse(question, "Eine eigene Antwort ist hier nicht vorgesehen.")
        other = base.answer_text(question, answer.other_text)
        if not 1 <= len(other) <= OTHER_TEXT_MAX:
            raise base.refuse(question, f"Die eigene Antwort hat 1 bis {OTHER_TEXT_MAX} Zeichen.")
    count = len(chosen) + int(other is not None)
    if not least <= count <= most:
        wanted = "genau eine Antwort" if least == most == 1 else f"{least} bis {most} Antworten"
        raise base.refuse(question, f"Bitte {wanted} wählen.")
    return CleanAnswer(question.id, option_indexes=sorted(chosen), other_text=other)


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def aggregate(labels: Sequence[str], answers: Sequence[Answer]) -> dict[str, Any]:
    counts = Counter(index for answer in answers for index in answer.option_indexes or ())
    others = sorted(answer.other_text for answer in answers if answer.other_text)
    total = len(answers)
    return {
        "options": [
            {"index": index, "count": counts[index], "share": _share(counts[index], total)}
            for index in range(len(labels))
        ],
        "other_count": len(others),
        "other_texts": others,
    }


def cell(labels: Sequence[str], answer: Answer) -> str:
    chosen = [labels[index] for index in answer.option_indexes or ()]
    if answer.other_text:
        chosen.append(f"Sonstiges: {answer.other_text}")
    return text_cell("; ".join(chosen))


class ChoiceSettings(Settings):
    options: list[str]
    allow_other: bool = False


class ChoiceAnswers:
    """What single and multiple choice mean alike: conditions name options, results count them."""

    def check_condition(self, settings: ChoiceSettings, condition: ShowIf, field: str) -> None:
        option_condition(len(settings.options), condition, field)

    def condition_holds(self, condition: dict[str, Any], answer: CleanAnswer) -> bool:
        return option_holds(condition, answer)

    def aggregate(self, settings: ChoiceSettings, answers: Sequence[Answer]) -> dict[str, Any]:
        return aggregate(settings.options, answers)

    def csv_cell(self, settings: ChoiceSettings, answer: Answer) -> str:
        return cell(settings.options, answer)
