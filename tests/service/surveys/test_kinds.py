"""Every question kind is a complete plug-in: registered, typed settings that store as before, answers checked,
aggregated, written to CSV, conditions understood; an unknown kind fails loudly everywhere."""

from __future__ import annotations

import pkgutil
import uuid
from typing import Any

import pytest

from schema.surveys.questions import QUESTION_TYPES, QuestionType, SettingsInput
from service.kit.errors import UserError
from service.surveys import export, kinds, results
from service.surveys.kinds import KINDS, UnknownKind, asked, kind_of, settings_of
from service.surveys.kinds.base import AnswerInput, Kind, Settings, ShowIf, dump
from service.surveys.kinds.free_text import FreeTextSettings
from service.surveys.kinds.multiple_choice import MultipleChoiceSettings
from service.surveys.kinds.number import NumberSettings
from service.surveys.kinds.ranking import RankingSettings
from service.surveys.kinds.rating import RatingSettings
from service.surveys.kinds.scale import ScaleSettings
from service.surveys.kinds.single_choice import SingleChoiceSettings
from service.surveys.models import Answer, Question, QuestionKind

HELPERS = {"base", "choice"}
# Per kind: settings, a fitting answer, a condition on a question of this kind that this answer meets.
EXAMPLES: dict[QuestionKind, tuple[Settings, dict[str, Any], ShowIf]] = {
    QuestionKind.SINGLE_CHOICE: (SingleChoiceSettings(options=["A", "B"]), {"option_indexes": (1,)}, ShowIf(0, (1,))),
    QuestionKind.MULTIPLE_CHOICE: (
        MultipleChoiceSettings(options=["A", "B", "C"]),
        {"option_indexes": (0, 2)},
        ShowIf(0, (2,)),
    ),
    QuestionKind.FREE_TEXT: (FreeTextSettings(max_length=20), {"text": "Mehr Bäume"}, ShowIf(0)),
    QuestionKind.SCALE: (ScaleSettings(min=0, max=10), {"value": 7}, ShowIf(0, at_least=5)),
    QuestionKind.RANKING: (RankingSettings(options=["A", "B"]), {"option_indexes": (1, 0)}, ShowIf(0)),
    QuestionKind.NUMBER: (NumberSettings(max=100), {"value": 2.5}, ShowIf(0, at_most=3)),
    QuestionKind.RATING: (RatingSettings(stars=5), {"value": 4}, ShowIf(0, at_least=4, at_most=5)),
}


def _question(kind: str, settings: dict[str, Any]) -> Question:
    return Question(id=uuid.uuid4(), position=0, kind=kind, prompt="Wie?", help_text="", settings=settings)


def test_every_kind_is_registered_once_and_every_kind_module_is_a_registered_kind() -> None:
    modules = {info.name for info in pkgutil.iter_modules(kinds.__path__)} - HELPERS

    assert set(KINDS) == set(QuestionKind) == set(EXAMPLES) == set(QUESTION_TYPES)
    assert modules == {kind.value for kind in QuestionKind}
    assert {field.name for field in SettingsInput.__dataclass_fields__.values()} == modules
    for kind, rules in KINDS.items():
        assert isinstance(rules, Kind)
        assert rules.kind is kind is rules.settings_type.KIND


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_every_kind_stores_checks_aggregates_exports_and_conditions(kind: QuestionKind) -> None:
    settings, given, condition = EXAMPLES[kind]
    rules = kind_of(kind)

    clean = rules.clean_settings(settings, "questions.0")
    question = _question(kind.value, dump(clean))
    answer = rules.check_answer(asked(question), AnswerInput(question_id=question.id, **given))
    row = Answer(
        question_id=question.id,
        option_indexes=answer.option_indexes,
        other_text=answer.other_text,
        text=answer.text,
        number=answer.number,
    )
    rules.check_condition(clean, condition, "questions.1.showIf")
    stored = {"any_of": list(condition.any_of), "at_least": condition.at_least, "at_most": condition.at_most}

    assert settings_of(question) == clean
    assert rules.aggregate(clean, [row])
    assert rules.csv_cell(clean, row)
    assert rules.condition_holds(stored, answer)
    with pytest.raises(UserError):
        rules.check_answer(asked(question), AnswerInput(question_id=question.id, other_text="x", text="y"))
    assert type(QuestionType.from_row(question)) is QUESTION_TYPES[kind][0]


def test_an_unknown_kind_fails_loudly_instead_of_passing_for_another() -> None:
    stray = _question("dropdown", {"options": ["A", "B"]})
    row = Answer(question_id=stray.id, text="A")

    with pytest.raises(UnknownKind):
        kind_of("dropdown")
    with pytest.raises(UnknownKind):
        results._question(stray, [row])
    with pytest.raises(UnknownKind):
        export._formatter(stray)
    with pytest.raises(UnknownKind):
        QuestionType.from_row(stray)
