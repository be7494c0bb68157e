"""What staff may define: each question kind's settings, conditions on earlier questions, survey fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.kit.errors import CommonErrorCode, UserError
from service.kit.text import clean_title
from service.surveys import definition
from service.surveys.definition import QuestionSpec
from service.surveys.errors import SurveyErrorCode
from service.surveys.kinds import parse_settings
from service.surveys.kinds.base import ShowIf, dump
from service.surveys.kinds.free_text import FreeTextSettings
from service.surveys.kinds.multiple_choice import MultipleChoiceSettings
from service.surveys.kinds.number import NumberSettings
from service.surveys.kinds.ranking import RankingSettings
from service.surveys.kinds.rating import RatingSettings
from service.surveys.kinds.scale import ScaleSettings
from service.surveys.kinds.single_choice import SingleChoiceSettings
from service.surveys.models import QuestionKind

CHOICES = ("Auto", "Fahrrad", "Bus")


def _refusal(specs: list[QuestionSpec]) -> UserError:
    with pytest.raises(UserError) as refused:
        definition.questions(specs)
    return refused.value


def test_every_kind_with_defaults_is_accepted_and_positions_follow_the_list() -> None:
    clean = definition.questions(
        [
            QuestionSpec("Wie?", SingleChoiceSettings(options=list(CHOICES), allow_other=True)),
            QuestionSpec("Was?", MultipleChoiceSettings(options=list(CHOICES))),
            QuestionSpec("Warum?", FreeTextSettings()),
            QuestionSpec("Wie sehr?", ScaleSettings()),
            QuestionSpec("Reihenfolge?", RankingSettings(options=list(CHOICES))),
            QuestionSpec("Wie viele?", NumberSettings(min=0)),
            QuestionSpec("Wie gefällt es Ihnen?", RatingSettings()),
        ]
    )

    assert [question.position for question in clean] == [0, 1, 2, 3, 4, 5, 6]
    assert [question.kind for question in clean] == [
        QuestionKind.SINGLE_CHOICE,
        QuestionKind.MULTIPLE_CHOICE,
        QuestionKind.FREE_TEXT,
        QuestionKind.SCALE,
        QuestionKind.RANKING,
        QuestionKind.NUMBER,
        QuestionKind.RATING,
    ]
    # Stored as before: the same keys in the same spelling.
    assert [dump(question.settings) for question in clean] == [
        {"options": list(CHOICES), "allow_other": True},
        {"options": list(CHOICES), "allow_other": False, "min_selections": 1, "max_selections": 3},
        {"max_length": 5000},
        {"min": 1, "max": 5, "min_label": "", "max_label": ""},
        {"options": list(CHOICES)},
        {"min": 0, "max": None},
        {"stars": 5},
    ]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (QuestionSpec("Wie?", SingleChoiceSettings(options=["Nur eine"])), "questions.0.options"),
        (QuestionSpec("Wie?", SingleChoiceSettings(options=["A", "A"])), "questions.0.options"),
        (QuestionSpec("Wie?", SingleChoiceSettings(options=["A", " "])), "questions.0.options"),
        (
            QuestionSpec("Was?", MultipleChoiceSettings(options=list(CHOICES), min_selections=3, max_selections=2)),
            "questions.0.minSelections",
        ),
        (
            QuestionSpec("Was?", MultipleChoiceSettings(options=list(CHOICES), max_selections=4)),
            "questions.0.minSelections",
        ),
        (
            QuestionSpec("Was?", MultipleChoiceSettings(options=list(CHOICES), min_selections=0)),
            "questions.0.minSelections",
        ),
        (QuestionSpec("Warum?", FreeTextSettings(max_length=0)), "questions.0.maxLength"),
        (QuestionSpec("Warum?", FreeTextSettings(max_length=5001)), "questions.0.maxLength"),
        (QuestionSpec("Wie sehr?", ScaleSettings(min=5, max=5)), "questions.0.min"),
        (QuestionSpec("Wie sehr?", ScaleSettings(min=0, max=30)), "questions.0.min"),
        (QuestionSpec("Wie sehr?", ScaleSettings(min_label="x" * 101)), "questions.0.minLabel"),
        (QuestionSpec("Reihenfolge?", RankingSettings(options=[str(n) for n in range(21)])), "questions.0.options"),
        (QuestionSpec("Wie viele?", NumberSettings(min=10, max=1)), "questions.0.min"),
        (QuestionSpec("Wie viele?", NumberSettings(max=float("inf"))), "questions.0.min"),
        (QuestionSpec("", NumberSettings(max=3)), "questions.0.prompt"),
        (QuestionSpec("Wie gefällt es?", RatingSettings(stars=2)), "questions.0.stars"),
        (QuestionSpec("Wie gefällt es?", RatingSettings(stars=11)), "questions.0.stars"),
    ],
)
def test_settings_that_do_not_fit_the_kind_are_refused(spec: QuestionSpec, field: str) -> None:
    refused = _refusal([spec])

    assert refused.code is SurveyErrorCode.QUESTION_INVALID
    assert refused.field == field
    assert refused.message


@pytest.mark.parametrize(
    ("kind", "values", "field"),
    [
        (QuestionKind.SINGLE_CHOICE, {"options": list(CHOICES), "max_length": 3}, "questions.0.maxLength"),
        (QuestionKind.FREE_TEXT, {"options": list(CHOICES)}, "questions.0.options"),
        (QuestionKind.RANKING, {"options": list(CHOICES), "allow_other": True}, "questions.0.allowOther"),
        (QuestionKind.RATING, {"min": 1}, "questions.0.min"),
        (QuestionKind.RATING, {"stars": "viele"}, "questions.0.stars"),
        (QuestionKind.RANKING, {}, "questions.0.options"),
    ],
)
def test_plain_settings_of_another_kind_or_type_are_refused(
    kind: QuestionKind, values: dict[str, object], field: str
) -> None:
    with pytest.raises(UserError) as refused:
        parse_settings(kind, values, "questions.0")

    assert (refused.value.code, refused.value.field) == (SurveyErrorCode.QUESTION_INVALID, field)
    assert refused.value.message


def test_a_condition_names_an_earlier_question_and_fitting_values() -> None:
    first = QuestionSpec("Wie?", SingleChoiceSettings(options=list(CHOICES)))
    scale = QuestionSpec("Wie sehr?", ScaleSettings())
    follow_up = QuestionSpec("Warum?", FreeTextSettings(), show_if=ShowIf(0, any_of=(1, 1)))
    on_scale = QuestionSpec("Was fehlt?", FreeTextSettings(), show_if=ShowIf(1, at_most=2))

    clean = definition.questions([first, scale, follow_up, on_scale])

    assert clean[2].show_if == {"question_id": str(clean[0].id), "any_of": [1], "at_least": None, "at_most": None}
    assert clean[3].show_if == {"question_id": str(clean[1].id), "any_of": [], "at_least": None, "at_most": 2}


@pytest.mark.parametrize(
    "condition",
    [
        ShowIf(1, any_of=(0,)),  # itself
        ShowIf(5, any_of=(0,)),  # a later question
        ShowIf(0),  # a choice question without options named
        ShowIf(0, any_of=(3,)),  # an option that does not exist
        ShowIf(0, at_least=1),  # a range on a choice question
    ],
)
def test_conditions_on_later_or_unfitting_answers_are_refused(condition: ShowIf) -> None:
    refused = _refusal(
        [
            QuestionSpec("Wie?", SingleChoiceSettings(options=list(CHOICES))),
            QuestionSpec("Warum?", FreeTextSettings(), show_if=condition),
        ]
    )

    assert (refused.code, refused.field) == (SurveyErrorCode.QUESTION_INVALID, "questions.1.showIf")


def test_a_range_condition_on_a_scale_must_not_be_empty() -> None:
    refused = _refusal(
        [
            QuestionSpec("Wie sehr?", ScaleSettings()),
            QuestionSpec("Warum?", FreeTextSettings(), show_if=ShowIf(0, at_least=4, at_most=2)),
        ]
    )

    assert refused.field == "questions.1.showIf"


def test_survey_window_and_title_rules() -> None:
    now = datetime.now(UTC)
    with pytest.raises(UserError) as reversed_window:
        definition.window(now + timedelta(days=2), now + timedelta(days=1))
    with pytest.raises(UserError) as naive:
        definition.window(None, datetime(2030, 1, 1))  # noqa: DTZ001 - the point of the test
    with pytest.raises(UserError) as short_title:
        clean_title(" Umf ")

    assert (reversed_window.value.code, reversed_window.value.field) == (
        SurveyErrorCode.SURVEY_DATES_INVALID,
        "opensAt",
    )
    assert naive.value.code is SurveyErrorCode.SURVEY_DATES_INVALID
    assert short_title.value.code is CommonErrorCode.TITLE_LENGTH
