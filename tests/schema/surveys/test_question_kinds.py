"""Questions through the per-kind API: the `@oneOf` settings input, one GraphQL type per kind behind the
`SurveyQuestion` interface, the deprecated flat fields still filled, and the rating kind end to end."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.surveys.jobs import SurveyRef
from service.surveys.models import QuestionKind
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import PUBLISH_SURVEY, SET_QUESTIONS, answer, draft
from workers.jobs.surveys import compute_results as results_job

QUESTIONS = """
query Questions($id: ID!) {
  survey(id: $id) {
    questions {
      __typename kind prompt options allowOther minSelections maxSelections maxLength scaleMin scaleMax
      minLabel maxLabel numberMin numberMax
      ... on SurveySingleChoiceQuestion { singleChoice { options allowOther } }
      ... on SurveyMultipleChoiceQuestion { multipleChoice { options allowOther minSelections maxSelections } }
      ... on SurveyFreeTextQuestion { freeText { maxLength } }
      ... on SurveyScaleQuestion { scale { min max minLabel maxLabel } }
      ... on SurveyRankingQuestion { ranking { options } }
      ... on SurveyNumberQuestion { number { min max } }
      ... on SurveyRatingQuestion { rating { stars } }
    }
  }
}
"""
RESULTS = """
query Results($id: ID!) {
  survey(id: $id) { responsesCsv results { questions { kind answered mean median distribution { value count } } } }
}
"""
# One question of every kind, in the new form.
SETTINGS: list[dict[str, Any]] = [
    {"singleChoice": {"options": ["Auto", "Rad"], "allowOther": True}},
    {"multipleChoice": {"options": ["Bänke", "Bäume", "Brunnen"], "maxSelections": 2}},
    {"freeText": {"maxLength": 80}},
    {"scale": {"min": 0, "max": 10, "maxLabel": "sehr"}},
    {"ranking": {"options": ["Klima", "Verkehr"]}},
    {"number": {"min": 0}},
    {"rating": {"stars": 4}},
]


async def _staff(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))


async def _set(graphql: GraphQLClient, staff: Person, survey_id: str, questions: list[dict[str, Any]]) -> Any:
    variables = {"input": {"surveyId": survey_id, "questions": questions}}
    return await graphql(SET_QUESTIONS, variables, headers=staff.headers)


def test_the_settings_input_has_one_member_per_kind() -> None:
    assert len(SETTINGS) == len(QuestionKind)


async def test_every_kind_is_defined_through_settings_and_read_back_as_its_own_type(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)
    questions = [{"prompt": f"Frage {n}", "settings": settings} for n, settings in enumerate(SETTINGS)]

    result = (await _set(graphql, staff, survey_id, questions))["data"]["setSurveyQuestions"]
    read = (await graphql(QUESTIONS, {"id": survey_id}, headers=staff.headers))["data"]["survey"]["questions"]

    assert result["__typename"] == "SurveyQuestionsSet", result
    assert [question["__typename"] for question in read] == [
        "SurveySingleChoiceQuestion",
        "SurveyMultipleChoiceQuestion",
        "SurveyFreeTextQuestion",
        "SurveyScaleQuestion",
        "SurveyRankingQuestion",
        "SurveyNumberQuestion",
        "SurveyRatingQuestion",
    ]
    single, multiple, free_text, scale, ranking, number, rating = read
    assert single["singleChoice"] == {"options": ["Auto", "Rad"], "allowOther": True}
    assert multiple["multipleChoice"] == {
        "options": ["Bänke", "Bäume", "Brunnen"],
        "allowOther": False,
        "minSelections": 1,
        "maxSelections": 2,
    }
    assert free_text["freeText"] == {"maxLength": 80}
    assert scale["scale"] == {"min": 0, "max": 10, "minLabel": "", "maxLabel": "sehr"}
    assert ranking["ranking"] == {"options": ["Klima", "Verkehr"]}
    assert number["number"] == {"min": 0.0, "max": None}
    assert (rating["kind"], rating["rating"]) == ("RATING", {"stars": 4})
    # The deprecated flat fields are still filled as before.
    assert (single["options"], single["minSelections"], single["maxSelections"]) == (["Auto", "Rad"], 1, 1)
    assert (scale["scaleMin"], scale["scaleMax"], scale["maxLabel"]) == (0, 10, "sehr")
    assert (number["numberMin"], number["numberMax"], free_text["maxLength"]) == (0.0, None, 80)


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"prompt": "Wie?", "settings": {"rating": {"stars": 2}}}, "questions.0.stars"),
        ({"prompt": "Wie?", "settings": {"rating": {}}, "kind": "SCALE"}, "questions.0.kind"),
        ({"prompt": "Wie?", "settings": {"rating": {}}, "options": ["A", "B"]}, "questions.0.settings"),
        ({"prompt": "Wie?"}, "questions.0.settings"),
        ({"prompt": "Wie?", "kind": "RATING", "options": ["A", "B"]}, "questions.0.options"),
    ],
)
async def test_settings_that_do_not_fit_are_refused_and_nothing_is_stored(
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
    question: dict[str, Any],
    field: str,
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)

    result = (await _set(graphql, staff, survey_id, [question]))["data"]["setSurveyQuestions"]

    assert (result["__typename"], result["field"], result["code"]) == ("InvalidInput", field, "QUESTION_INVALID")
    assert result["message"]
    assert await count_rows(runtime, "survey_questions") == 0


async def test_two_kinds_in_one_settings_input_are_refused_by_the_schema(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)

    body = await _set(graphql, staff, survey_id, [{"prompt": "Wie?", "settings": {"rating": {}, "freeText": {}}}])

    assert body.get("data") is None, body
    assert body["errors"]
    assert await count_rows(runtime, "survey_questions") == 0


async def test_a_rating_is_answered_with_whole_stars_and_counted_like_a_scale(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)
    questions: list[dict[str, Any]] = [
        {"prompt": "Wie gefällt Ihnen der neue Marktplatz?", "required": True, "settings": {"rating": {"stars": 5}}},
        {
            "prompt": "Was fehlt Ihnen?",
            "settings": {"freeText": {}},
            "showIf": {"questionIndex": 0, "atMost": 2},
        },
    ]
    created = (await _set(graphql, staff, survey_id, questions))["data"]["setSurveyQuestions"]
    rating_id, follow_up_id = (question["id"] for question in created["survey"]["questions"])
    published = (await graphql(PUBLISH_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["publishSurvey"]
    assert published["__typename"] == "SurveyPublished", published
    people = [await person(runtime, oidc_provider, f"rater-{number}") for number in range(4)]

    refused = [
        await answer(graphql, people[0], survey_id, [{"questionId": rating_id, "value": value}])
        for value in (0, 6, 2.5)
    ]
    hidden = await answer(
        graphql,
        people[0],
        survey_id,
        [{"questionId": rating_id, "value": 4}, {"questionId": follow_up_id, "text": "Bäume"}],
    )
    for someone, stars in zip(people, (5, 4, 4, 1), strict=True):
        given = [{"questionId": rating_id, "value": stars}]
        if stars <= 2:
            given.append({"questionId": follow_up_id, "text": "Schatten"})
        assert (await answer(graphql, someone, survey_id, given))["__typename"] == "SurveyAnswered"
    await results_job({"runtime": runtime}, SurveyRef(row_id(survey_id)))
    survey = (await graphql(RESULTS, {"id": survey_id}, headers=staff.headers))["data"]["survey"]

    assert [(item["__typename"], item["code"]) for item in refused] == [("InvalidInput", "ANSWER_INVALID")] * 3
    assert (hidden["__typename"], hidden["code"]) == ("InvalidInput", "ANSWER_INVALID")
    rating, follow_up = survey["results"]["questions"]
    assert (rating["kind"], rating["answered"], rating["mean"], rating["median"]) == ("RATING", 4, 3.5, 4.0)
    assert rating["distribution"] == [
        {"value": 1.0, "count": 1},
        {"value": 2.0, "count": 0},
        {"value": 3.0, "count": 0},
        {"value": 4.0, "count": 2},
        {"value": 5.0, "count": 1},
    ]
    assert follow_up["answered"] == 1
    rows = list(csv.reader(io.StringIO(survey["responsesCsv"].lstrip("\ufeff")), delimiter=";"))
    assert sorted(row[-2] for row in rows[1:]) == ["1", "4", "4", "5"]
