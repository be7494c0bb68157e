"""Results computed by the worker job: counts, shares, distributions, means, rank scores, responses per day;
full for the town's staff at any time, for the public only after close when the survey allows it, without free
texts; the CSV export for staff."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.surveys.jobs import SurveyRef
from tests.conftest import GraphQLClient
from tests.support.ideas import row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import CLOSE_SURVEY, answer, published_survey, standard_answers
from workers.jobs.surveys import compute_results as results_job

RESULTS = """
query Results($id: ID!) {
  survey(id: $id) {
    responseCount
    results {
      responseCount
      responsesByDay { count }
      questions {
        kind answered otherCount otherTexts texts mean median
        options { index label count share }
        distribution { value count }
        rankScores { label score averagePlace }
      }
    }
  }
}
"""
EXPORT = "query Export($id: ID!) { survey(id: $id) { responsesCsv } }"


async def _staff(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))


async def _answered(
    runtime: Runtime, graphql: GraphQLClient, provider: OidcProvider, **fields: Any
) -> tuple[str, list[str], Person]:
    """A survey of Soest answered by four people, results computed by the job; (id, question ids, staff)."""
    staff = await _staff(runtime, provider)
    survey_id, question_ids = await published_survey(graphql, runtime, staff, **fields)
    people = [await person(runtime, provider, f"respondent-{number}", name=f"Person {number}") for number in range(4)]
    texts = ["Mehr Radwege", "=HYPERLINK(1)", "Bänke", "Ruhe"]
    for number, someone in enumerate(people):
        given = standard_answers(question_ids, mode=int(number == 1), text_answer=texts[number])
        given[3]["value"] = number + 2  # scale: 2, 3, 4, 5
        given[5]["value"] = [1, 2, 3, 100][number]
        if number == 3:
            given[0] = {"questionId": question_ids[0], "otherText": "Zu Fuß"}
            given[4]["optionIndexes"] = [1, 2, 0]
        outcome = await answer(graphql, someone, survey_id, given)
        assert outcome["__typename"] == "SurveyAnswered", outcome
    assert await results_job({"runtime": runtime}, SurveyRef(row_id(survey_id))) == len(people)
    return survey_id, question_ids, staff


async def test_staff_see_every_statistic_while_the_survey_runs(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, staff = await _answered(runtime, graphql, oidc_provider)

    survey = (await graphql(RESULTS, {"id": survey_id}, headers=staff.headers))["data"]["survey"]

    results = survey["results"]
    assert survey["responseCount"] == results["responseCount"] == 4
    assert results["responsesByDay"] == [{"count": 4}]
    single, multiple, free_text, scale, ranking, number, follow_up = results["questions"]
    assert [(o["label"], o["count"], o["share"]) for o in single["options"]] == [
        ("Auto", 2, 0.5),
        ("Fahrrad", 1, 0.25),
        ("Bus", 0, 0.0),
    ]
    assert (single["otherCount"], single["otherTexts"]) == (1, ["Zu Fuß"])
    assert [(o["label"], o["count"], o["share"]) for o in multiple["options"]] == [
        ("Bänke", 4, 1.0),
        ("Bäume", 0, 0.0),
        ("Brunnen", 0, 0.0),
        ("Toiletten", 4, 1.0),
    ]
    assert free_text["texts"] == sorted(["Mehr Radwege", "=HYPERLINK(1)", "Bänke", "Ruhe"])
    assert scale["distribution"] == [{"value": v, "count": int(v >= 2)} for v in (1.0, 2.0, 3.0, 4.0, 5.0)]
    assert (scale["mean"], scale["median"]) == (3.5, 3.5)
    # Rankings: three people put Wohnen > Klima > Verkehr, one Verkehr > Wohnen > Klima (Borda: 3, 2, 1 points).
    assert [(r["label"], r["score"], r["averagePlace"]) for r in ranking["rankScores"]] == [
        ("Klima", 7, 2.25),
        ("Verkehr", 6, 2.5),
        ("Wohnen", 11, 1.25),
    ]
    assert (number["mean"], number["median"], len(number["distribution"])) == (26.5, 2.5, 4)
    assert (follow_up["answered"], follow_up["texts"]) == (1, ["Sichere Abstellplätze"])


async def test_the_public_sees_progress_while_open_and_results_without_texts_after_close(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, staff = await _answered(runtime, graphql, oidc_provider, resultsPublic=True)
    citizen = await person(runtime, oidc_provider, "clara")

    while_open = [
        (await graphql(RESULTS, {"id": survey_id}, headers=h))["data"]["survey"] for h in ({}, citizen.headers)
    ]
    await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=staff.headers)
    after_close = [
        (await graphql(RESULTS, {"id": survey_id}, headers=h))["data"]["survey"] for h in ({}, citizen.headers)
    ]

    assert while_open == [{"responseCount": 4, "results": None}] * 2
    for seen in after_close:
        questions = seen["results"]["questions"]
        assert seen["results"]["responseCount"] == 4
        assert questions[0]["options"][0]["count"] == 2
        assert questions[0]["otherCount"] == 1
        assert all(question["texts"] is None and question["otherTexts"] is None for question in questions)
        assert questions[2]["answered"] == 4


async def test_results_stay_with_staff_when_the_survey_keeps_them(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, staff = await _answered(runtime, graphql, oidc_provider)
    other_staff = await person(runtime, oidc_provider, "staff-olpe", roles_held=((Role.STAFF, "olpe"),))
    await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=staff.headers)

    public = (await graphql(RESULTS, {"id": survey_id}))["data"]["survey"]
    olpe = (await graphql(RESULTS, {"id": survey_id}, headers=other_staff.headers))["data"]["survey"]
    own = (await graphql(RESULTS, {"id": survey_id}, headers=staff.headers))["data"]["survey"]

    assert public == olpe == {"responseCount": 4, "results": None}
    assert own["results"]["responseCount"] == 4


async def test_the_export_names_respondents_of_surveys_that_are_not_anonymous(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, staff = await _answered(runtime, graphql, oidc_provider)
    async with runtime.engine.begin() as connection:  # numbers with decimals, one of them negative
        for before, after in ((2, 2.5), (3, -1234.75)):
            await connection.execute(
                text(
                    "UPDATE survey_answers SET number = :after WHERE number = :before "
                    "AND question_id IN (SELECT id FROM survey_questions WHERE kind = 'number')"
                ),
                {"before": before, "after": after},
            )

    exported = (await graphql(EXPORT, {"id": survey_id}, headers=staff.headers))["data"]["survey"]["responsesCsv"]

    assert exported.startswith("\ufeffNr.;Person-ID;Name;Tag;")
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff")), delimiter=";"))
    assert sorted(row["Name"] for row in rows) == ["Person 0", "Person 1", "Person 2", "Person 3"]
    by_name = {row["Name"]: row for row in rows}
    assert by_name["Person 1"]["F1: Wie kommen Sie in die Innenstadt?"] == "Fahrrad"
    assert by_name["Person 3"]["F1: Wie kommen Sie in die Innenstadt?"] == "Sonstiges: Zu Fuß"
    assert by_name["Person 0"]["F2: Was fehlt am Markt?"] == "Bänke; Toiletten"
    assert by_name["Person 3"]["F5: Was ist am wichtigsten?"] == "Verkehr > Wohnen > Klima"
    # Numbers as German spreadsheets read them: decimal comma, no apostrophe before a minus sign.
    kilometres = "F6: Wie viele Kilometer fahren Sie täglich?"
    assert [by_name[f"Person {number}"][kilometres] for number in range(4)] == ["1", "2,5", "-1234,75", "100"]
    assert [by_name[f"Person {number}"]["F4: Wie zufrieden sind Sie?"] for number in range(4)] == ["2", "3", "4", "5"]
    # People are named by the global id the API gives them.
    for name, row in by_name.items():
        found = await graphql(
            "query P($id: ID!) { node(id: $id) { ... on User { displayName } } }", {"id": row["Person-ID"]}
        )
        assert found["data"]["node"] == {"displayName": name}
    # A spreadsheet must not run what people wrote.
    assert by_name["Person 1"]["F3: Was möchten Sie uns sagen?"] == "'=HYPERLINK(1)"
    assert by_name["Person 1"]["F7: Was würde Ihnen das Radfahren erleichtern?"] == "Sichere Abstellplätze"
    assert by_name["Person 0"]["F7: Was würde Ihnen das Radfahren erleichtern?"] == ""
