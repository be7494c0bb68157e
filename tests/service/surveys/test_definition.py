"""What staff may define: each question kind's settings, conditions on earlier questions, survey fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.errors import CommonErrorCode, UserError
from service.surveys import definition
from service.surveys.definition import QuestionSpec, ShowIf
from service.surveys.errors import SurveyErrorCode
from service.surveys.models import QuestionKind

CHOICES = ("Auto", "Fahrrad", "Bus")


def _refusal(specs: list[QuestionSpec]) -> UserError:
    with pytest.raises(UserError) as refused:
        definition.questions(specs)
    return refused.value


def test_every_kind_with_defaults_is_accepted_and_positions_follow_the_list() -> None:
    clean = definition.questions(
        [
            QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=CHOICES, allow_other=True),
            QuestionSpec(QuestionKind.MULTIPLE_CHOICE, "Was?", options=CHOICES),
            QuestionSpec(QuestionKind.FREE_TEXT, "Warum?"),
            QuestionSpec(QuestionKind.SCALE, "Wie sehr?"),
            QuestionSpec(QuestionKind.RANKING, "Reihenfolge?", options=CHOICES),
            QuestionSpec(QuestionKind.NUMBER, "Wie viele?", number_min=0),
        ]
    )

    assert [question.position for question in clean] == [0, 1, 2, 3, 4, 5]
    assert clean[0].settings == {"options": list(CHOICES), "allow_other": True}
    assert clean[1].settings == {
        "options": list(CHOICES),
        "allow_other": False,
        "min_selections": 1,
        "max_selections": 3,
    }
    assert clean[2].settings == {"max_length": 5000}
    assert clean[3].settings == {"min": 1, "max": 5, "min_label": "", "max_label": ""}
    assert clean[4].settings == {"options": list(CHOICES)}
    assert clean[5].settings == {"min": 0, "max": None}


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=("Nur eine",)), "questions.0.options"),
        (QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=("A", "A")), "questions.0.options"),
        (QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=("A", " ")), "questions.0.options"),
        (QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=CHOICES, max_length=3), "questions.0.maxLength"),
        (
            QuestionSpec(QuestionKind.MULTIPLE_CHOICE, "Was?", options=CHOICES, min_selections=3, max_selections=2),
            "questions.0.minSelections",
        ),
        (
            QuestionSpec(QuestionKind.MULTIPLE_CHOICE, "Was?", options=CHOICES, max_selections=4),
            "questions.0.minSelections",
        ),
        (
            QuestionSpec(QuestionKind.MULTIPLE_CHOICE, "Was?", options=CHOICES, min_selections=0),
            "questions.0.minSelections",
        ),
        (QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", max_length=0), "questions.0.maxLength"),
        (QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", max_length=5001), "questions.0.maxLength"),
        (QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", options=CHOICES), "questions.0.options"),
        (QuestionSpec(QuestionKind.SCALE, "Wie sehr?", scale_min=5, scale_max=5), "questions.0.scaleMin"),
        (QuestionSpec(QuestionKind.SCALE, "Wie sehr?", scale_min=0, scale_max=30), "questions.0.scaleMin"),
        (QuestionSpec(QuestionKind.SCALE, "Wie sehr?", min_label="x" * 101), "questions.0.minLabel"),
        (
            QuestionSpec(QuestionKind.RANKING, "Reihenfolge?", options=tuple(str(n) for n in range(21))),
            "questions.0.options",
        ),
        (
            QuestionSpec(QuestionKind.RANKING, "Reihenfolge?", options=CHOICES, allow_other=True),
            "questions.0.allowOther",
        ),
        (QuestionSpec(QuestionKind.NUMBER, "Wie viele?", number_min=10, number_max=1), "questions.0.numberMin"),
        (QuestionSpec(QuestionKind.NUMBER, "Wie viele?", number_max=float("inf")), "questions.0.numberMin"),
        (QuestionSpec(QuestionKind.NUMBER, "", number_max=3), "questions.0.prompt"),
    ],
)
def test_settings_that_do_not_fit_the_kind_are_refused(spec: QuestionSpec, field: str) -> None:
    refused = _refusal([spec])

    assert refused.code is SurveyErrorCode.QUESTION_INVALID
    assert refused.field == field
    assert refused.message


def test_a_condition_names_an_earlier_question_and_fitting_values() -> None:
    first = QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=CHOICES)
    scale = QuestionSpec(QuestionKind.SCALE, "Wie sehr?")
    follow_up = QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", show_if=ShowIf(0, any_of=(1, 1)))
    on_scale = QuestionSpec(QuestionKind.FREE_TEXT, "Was fehlt?", show_if=ShowIf(1, at_most=2))

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
            QuestionSpec(QuestionKind.SINGLE_CHOICE, "Wie?", options=CHOICES),
            QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", show_if=condition),
        ]
    )

    assert (refused.code, refused.field) == (SurveyErrorCode.QUESTION_INVALID, "questions.1.showIf")


def test_a_range_condition_on_a_scale_must_not_be_empty() -> None:
    refused = _refusal(
        [
            QuestionSpec(QuestionKind.SCALE, "Wie sehr?"),
            QuestionSpec(QuestionKind.FREE_TEXT, "Warum?", show_if=ShowIf(0, at_least=4, at_most=2)),
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
        definition.title(" Umf ")

    assert (reversed_window.value.code, reversed_window.value.field) == (
        SurveyErrorCode.SURVEY_DATES_INVALID,
        "opensAt",
    )
    assert naive.value.code is SurveyErrorCode.SURVEY_DATES_INVALID
    assert short_title.value.code is CommonErrorCode.TITLE_LENGTH
