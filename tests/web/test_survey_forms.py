"""The survey pages' own logic without a browser: the answer form read back (conditions applied as the API applies
them), the builder's list sent again after a move, and the charts' numbers."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from web.api import Problem
from web.charts import Bar, bar_chart, survey_charts
from web.survey_answers import at_question, read
from web.survey_builder import Draft, as_inputs, for_question, from_api


def question(position: int, kind: str, **settings: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"q{position}",
        "position": position,
        "kind": kind,
        "prompt": f"Frage {position}",
        "helpText": "",
        "required": False,
        "options": [],
        "allowOther": False,
        "minSelections": None,
        "maxSelections": None,
        "maxLength": None,
        "scaleMin": None,
        "scaleMax": None,
        "minLabel": None,
        "maxLabel": None,
        "numberMin": None,
        "numberMax": None,
        "showIf": None,
    }
    return base | settings


def condition(target: str, any_of: list[int] | None = None, at_least: float | None = None) -> dict[str, Any]:
    return {"questionId": target, "anyOf": any_of or [], "atLeast": at_least, "atMost": None}


QUESTIONS = [
    question(0, "SINGLE_CHOICE", options=["Fahrrad", "Bus"], allowOther=True, required=True),
    question(1, "FREE_TEXT", required=True, showIf=condition("q0", [0])),
    question(2, "NUMBER", showIf=condition("q1")),
    question(3, "RANKING", options=["A", "B", "C"]),
    question(4, "SCALE", scaleMin=1, scaleMax=5, required=True, showIf=condition("q2", at_least=10)),
]


def form(*pairs: tuple[str, str]) -> FormData:
    return FormData(list(pairs))


def test_a_question_whose_condition_fails_is_not_required_and_what_was_typed_into_it_is_dropped() -> None:
    result = read(QUESTIONS, form(("frage-0", "1"), ("frage-1", "Typed anyway"), ("frage-2", "12")))

    assert result.problems == []
    # Question 1 is hidden (bus, not bike), so question 2 (shown if 1 was answered) is hidden as well.
    assert result.answers == [{"questionId": "q0", "optionIndexes": [1]}]
    assert result.values["frage-1"] == "Typed anyway"


def test_a_shown_required_question_left_empty_is_named_at_its_field() -> None:
    result = read(QUESTIONS, form(("frage-0", "0")))

    assert result.problems == [Problem("Frage 2 ist eine Pflichtfrage: bitte beantworten.", None, "frage-1")]


def test_a_chain_of_conditions_met_sends_every_answer_with_german_decimals() -> None:
    result = read(
        QUESTIONS,
        form(
            ("frage-0", "0"),
            ("frage-1", "Bügel"),
            ("frage-2", "12,5"),
            ("frage-3-platz-0", "2"),
            ("frage-3-platz-1", "3"),
            ("frage-3-platz-2", "1"),
            ("frage-4", "4"),
        ),
    )

    assert result.problems == []
    assert result.answers == [
        {"questionId": "q0", "optionIndexes": [0]},
        {"questionId": "q1", "text": "Bügel"},
        {"questionId": "q2", "value": 12.5},
        {"questionId": "q3", "optionIndexes": [2, 0, 1]},
        {"questionId": "q4", "value": 4.0},
    ]


def test_the_forms_own_rules_a_place_twice_other_without_text_a_number_that_is_none() -> None:
    result = read(
        QUESTIONS,
        form(
            ("frage-0", "andere"),
            ("frage-3-platz-0", "1"),
            ("frage-3-platz-1", "1"),
        ),
    )
    assert [(problem.field, problem.message) for problem in result.problems] == [
        ("frage-0", "Frage 1: Bitte schreiben Sie Ihre eigene Antwort in das Textfeld."),
        ("frage-3", "Frage 4: Bitte geben Sie jedem Eintrag einen anderen Platz, von 1 bis 3."),
    ]
    numbers = read(QUESTIONS, form(("frage-0", "0"), ("frage-1", "x"), ("frage-2", "zwölf")))
    assert [problem.field for problem in numbers.problems] == ["frage-2"]


def test_the_apis_refusal_links_to_the_question_it_names() -> None:
    assert at_question(Problem("Frage 3: Bitte eine Zahl angeben.", "ANSWER_INVALID", "answers")).field == "frage-2"
    assert at_question(Problem("Die Umfrage ist beendet.", "SURVEY_NOT_OPEN", None)).field is None


def test_moving_a_question_keeps_its_condition_on_the_same_question() -> None:
    drafts = [from_api(each) for each in QUESTIONS[:3]]
    drafts[0], drafts[1] = drafts[1], drafts[0]
    drafts.append(Draft(None, {"kind": "FREE_TEXT", "prompt": "Neu"}, condition("q0", [1])))

    inputs = as_inputs(drafts)

    assert inputs[0]["showIf"]["questionIndex"] == 1  # question "q1" still depends on "q0", now at index 1
    assert inputs[2]["showIf"]["questionIndex"] == 0  # "q2" depends on "q1", now first
    assert inputs[3]["showIf"] == {"questionIndex": 1, "anyOf": [1], "atLeast": None, "atMost": None}
    assert "showIf" not in inputs[1]
    assert inputs[1] == {
        "kind": "SINGLE_CHOICE",
        "prompt": "Frage 0",
        "helpText": "",
        "required": True,
        "options": ["Fahrrad", "Bus"],
        "allowOther": True,
    }


def test_the_apis_field_of_a_question_is_shown_in_that_questions_editor() -> None:
    problem = Problem("Diese Frage braucht 2 bis 50 Antwortmöglichkeiten.", "QUESTION_INVALID", "questions.3.options")
    assert for_question(problem, 3) == Problem(problem.message, problem.code, "options")
    assert for_question(problem, 1) is None


def test_a_chart_carries_its_numbers_in_data_attributes_and_escapes_labels() -> None:
    chart = str(bar_chart("x", "Titel <b>", [Bar("<script>", 3), Bar("Bus", 1.5), Bar("Auto", 0)]))

    assert re.findall(r'data-value="([^"]*)"', chart) == ["3", "1.5", "0"]
    assert "<script>" not in chart
    assert 'data-label="&lt;script&gt;"' in chart
    assert '<desc id="diagramm-x-text">&lt;script&gt;: 3; Bus: 1,5; Auto: 0</desc>' in chart
    assert 'role="img"' in chart


def test_survey_charts_give_every_kind_with_numbers_its_chart() -> None:
    results = {
        "responsesByDay": [{"day": "2026-12-06", "count": 2}],
        "questions": [
            {
                "questionId": "q0",
                "options": [{"label": "Fahrrad", "count": 1}, {"label": "Bus", "count": 1}],
                "otherCount": 0,
            },
            {"questionId": "q1"},
            {"questionId": "q2", "distribution": [{"value": 12.5, "count": 2}]},
            {"questionId": "q3", "rankScores": [{"label": "A", "score": 5}]},
        ],
    }
    charts = survey_charts(QUESTIONS[:4], results, lambda text: text)

    assert sorted(charts) == ["q0", "q2", "q3", "tage"]
    assert 'data-label="Andere Antwort" data-value="0"' in str(charts["q0"])
    assert 'data-label="12,5" data-value="2"' in str(charts["q2"])
    assert 'data-label="06.12.2026" data-value="2"' in str(charts["tage"])
