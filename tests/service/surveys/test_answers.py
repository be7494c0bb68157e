"""Answers checked against the definition: every kind's rules, required flags and show-if conditions."""

from __future__ import annotations

import uuid

import pytest

from service.kit.errors import UserError
from service.surveys import answers, definition
from service.surveys.answers import AnswerInput, CleanAnswer
from service.surveys.definition import QuestionSpec
from service.surveys.errors import SurveyErrorCode
from service.surveys.kinds.base import ShowIf, dump
from service.surveys.kinds.free_text import FreeTextSettings
from service.surveys.kinds.multiple_choice import MultipleChoiceSettings
from service.surveys.kinds.number import NumberSettings
from service.surveys.kinds.ranking import RankingSettings
from service.surveys.kinds.scale import ScaleSettings
from service.surveys.kinds.single_choice import SingleChoiceSettings
from service.surveys.models import Question

SPECS = [
    QuestionSpec("Wie?", SingleChoiceSettings(options=["Auto", "Rad", "Bus"], allow_other=True), required=True),
    QuestionSpec("Was?", MultipleChoiceSettings(options=["A", "B", "C", "D"], min_selections=2, max_selections=3)),
    QuestionSpec("Warum?", FreeTextSettings(max_length=10)),
    QuestionSpec("Wie sehr?", ScaleSettings(min=0, max=10)),
    QuestionSpec("Reihenfolge?", RankingSettings(options=["X", "Y", "Z"])),
    QuestionSpec("Wie viele?", NumberSettings(min=0, max=100)),
    QuestionSpec("Warum Rad?", FreeTextSettings(), required=True, show_if=ShowIf(0, any_of=(1,))),
    QuestionSpec("Wie weit?", NumberSettings(), show_if=ShowIf(3, at_least=8)),
]


@pytest.fixture
def questions() -> list[Question]:
    return [
        Question(
            id=clean.id,
            position=clean.position,
            kind=clean.kind.value,
            prompt=clean.prompt,
            help_text=clean.help_text,
            required=clean.required,
            settings=dump(clean.settings),
            show_if=clean.show_if,
        )
        for clean in definition.questions(SPECS)
    ]


def _answer(question: Question, **parts: object) -> AnswerInput:
    return AnswerInput(question_id=question.id, **parts)  # type: ignore[arg-type]


def _refusal(questions: list[Question], given: list[AnswerInput]) -> UserError:
    with pytest.raises(UserError) as refused:
        answers.check(questions, given)
    return refused.value


def test_a_full_valid_response_is_cleaned_in_question_order(questions: list[Question]) -> None:
    q = questions
    clean = answers.check(
        q,
        [
            _answer(q[5], value=42.5),
            _answer(q[0], option_indexes=(1,)),
            _answer(q[1], option_indexes=(3, 0)),
            _answer(q[2], text="  Gut  "),
            _answer(q[3], value=9),
            _answer(q[4], option_indexes=(2, 0, 1)),
            _answer(q[6], text="Radwege"),
            _answer(q[7], value=3),
        ],
    )

    assert clean == [
        CleanAnswer(q[0].id, option_indexes=[1]),
        CleanAnswer(q[1].id, option_indexes=[0, 3]),
        CleanAnswer(q[2].id, text="Gut"),
        CleanAnswer(q[3].id, number=9.0),
        CleanAnswer(q[4].id, option_indexes=[2, 0, 1]),
        CleanAnswer(q[5].id, number=42.5),
        CleanAnswer(q[6].id, text="Radwege"),
        CleanAnswer(q[7].id, number=3),
    ]


def test_an_own_answer_counts_as_the_choice(questions: list[Question]) -> None:
    clean = answers.check(questions, [_answer(questions[0], option_indexes=(), other_text="Zu Fuß")])

    assert clean == [CleanAnswer(questions[0].id, option_indexes=[], other_text="Zu Fuß")]


@pytest.mark.parametrize(
    ("index", "parts"),
    [
        (0, {"option_indexes": (0, 1)}),  # single choice: two options
        (0, {"option_indexes": (3,)}),  # single choice: no such option
        (0, {"option_indexes": (0,), "other_text": "Zu Fuß"}),  # single choice: option and own answer
        (0, {"text": "Auto"}),  # single choice: a text instead of an option
        (1, {"option_indexes": (0,)}),  # multiple choice: below the minimum
        (1, {"option_indexes": (0, 1, 2, 3)}),  # multiple choice: above the maximum
        (1, {"option_indexes": (0, 0)}),  # multiple choice: the same option twice
        (1, {"option_indexes": (0, 1), "other_text": "E"}),  # multiple choice: no own answer allowed
        (2, {"text": "x" * 11}),  # free text: too long
        (2, {"text": "a\x00b"}),  # free text: control character
        (2, {"value": 3}),  # free text: a number
        (3, {"value": 11}),  # scale: above the range
        (3, {"value": 2.5}),  # scale: not a step
        (3, {"value": float("nan")}),  # scale: not a number
        (4, {"option_indexes": (0, 1)}),  # ranking: an option left out
        (4, {"option_indexes": (0, 0, 1)}),  # ranking: an option twice
        (5, {"value": -1}),  # number: below the minimum
        (5, {"value": 100.5}),  # number: above the maximum
        (5, {"value": float("inf")}),  # number: infinite
        (5, {"option_indexes": (1,)}),  # number: an option
    ],
)
def test_answers_outside_a_kinds_rules_are_refused(
    questions: list[Question], index: int, parts: dict[str, object]
) -> None:
    given = [_answer(questions[0], option_indexes=(0,))] if index else []
    refused = _refusal(questions, [*given, _answer(questions[index], **parts)])

    assert refused.code is SurveyErrorCode.ANSWER_INVALID
    assert refused.field == "answers"
    assert refused.message.startswith(f"Frage {index + 1}: ")


def test_a_required_question_must_be_answered(questions: list[Question]) -> None:
    refused = _refusal(questions, [_answer(questions[2], text="Gut")])

    assert (refused.code, refused.message) == (SurveyErrorCode.ANSWER_REQUIRED, "Frage 1 ist eine Pflichtfrage.")


def test_a_shown_required_follow_up_must_be_answered(questions: list[Question]) -> None:
    refused = _refusal(questions, [_answer(questions[0], option_indexes=(1,))])

    assert (refused.code, refused.message) == (SurveyErrorCode.ANSWER_REQUIRED, "Frage 7 ist eine Pflichtfrage.")


def test_a_hidden_required_follow_up_is_not_needed_and_may_not_be_answered(questions: list[Question]) -> None:
    without = answers.check(questions, [_answer(questions[0], option_indexes=(0,))])
    refused = _refusal(questions, [_answer(questions[0], option_indexes=(0,)), _answer(questions[6], text="Radwege")])

    assert without == [CleanAnswer(questions[0].id, option_indexes=[0])]
    assert refused.code is SurveyErrorCode.ANSWER_INVALID
    assert refused.message.startswith("Frage 7: ")


def test_a_range_condition_shows_the_question_only_within_the_range(questions: list[Question]) -> None:
    base = [_answer(questions[0], option_indexes=(0,))]
    shown = answers.check(questions, [*base, _answer(questions[3], value=8), _answer(questions[7], value=5)])
    refused = _refusal(questions, [*base, _answer(questions[3], value=7), _answer(questions[7], value=5)])

    assert shown[-1] == CleanAnswer(questions[7].id, number=5)
    assert refused.message.startswith("Frage 8: ")


def test_unknown_and_repeated_questions_are_refused(questions: list[Question]) -> None:
    unknown = _refusal(questions, [AnswerInput(question_id=uuid.uuid4(), option_indexes=(0,))])
    repeated = _refusal(
        questions, [_answer(questions[0], option_indexes=(0,)), _answer(questions[0], option_indexes=(1,))]
    )

    assert unknown.code is repeated.code is SurveyErrorCode.ANSWER_INVALID
    assert unknown.message == "Diese Frage gehört nicht zu der Umfrage."
    assert repeated.message == "Jede Frage wird nur einmal beantwortet."


def test_an_empty_response_is_refused_even_without_required_questions(questions: list[Question]) -> None:
    optional = [question for question in questions if not question.required and question.show_if is None]

    refused = _refusal(optional, [])

    assert refused.code is SurveyErrorCode.ANSWER_REQUIRED
