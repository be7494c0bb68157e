"""Anonymous surveys: who took part and what was answered cannot be linked, by any caller, through any query,
export or join; one response per person still holds."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.surveys.jobs import SurveyRef
from tests.conftest import GraphQLClient
from tests.support.ideas import queued_jobs, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import answer, published_survey
from workers.jobs.surveys import compute_results as results_job

RESPONDENTS = 12
QUESTIONS = [
    {"kind": "NUMBER", "prompt": "Ihre Nummer?", "required": True},
    {"kind": "FREE_TEXT", "prompt": "Ihr Satz?", "required": True},
]
# Names sort the other way round from the order of answering, so any order by time would show.
TEXTS = [f"Satz {chr(ord('z') - number)}" for number in range(RESPONDENTS)]

EVERYTHING_STAFF_CAN_ASK = """
query Everything($id: ID!) {
  survey(id: $id) {
    responseCount
    responsesCsv
    myParticipation { tookPart answers { questionId } }
    results {
      responseCount
      responsesByDay { day count }
      questions { questionId answered distribution { value count } texts mean median }
    }
  }
}
"""
SURVEY_TYPES = """
query SurveyTypes {
  __schema {
    types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } }
  }
}
"""
MANAGERS = {
    "staff of Soest": ((Role.STAFF, "soest"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "region admin": ((Role.REGION_ADMIN, None),),
}


async def _anonymous_survey(
    runtime: Runtime, graphql: GraphQLClient, provider: OidcProvider
) -> tuple[str, list[str], list[Person]]:
    staff = await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_id, question_ids = await published_survey(graphql, runtime, staff, questions=QUESTIONS, isAnonymous=True)
    people = [
        await person(runtime, provider, f"respondent-{number:02d}", name=f"Person {number:02d}")
        for number in range(RESPONDENTS)
    ]
    for number, someone in enumerate(people):
        answered = await answer(
            graphql,
            someone,
            survey_id,
            [
                {"questionId": question_ids[0], "value": number},
                {"questionId": question_ids[1], "text": TEXTS[number]},
            ],
        )
        assert answered["__typename"] == "SurveyAnswered", answered
    await runtime.redis.flushdb()
    # The worker's job function computes the results, as the worker would.
    assert await results_job({"runtime": runtime}, SurveyRef(row_id(survey_id))) == RESPONDENTS
    return survey_id, question_ids, people


def _identifiers(people: list[Person]) -> list[str]:
    return [str(someone.user_id) for someone in people] + [f"Person {number:02d}" for number in range(len(people))]


@pytest.mark.parametrize("manager", sorted(MANAGERS))
async def test_no_query_or_export_links_an_answer_to_a_person(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, manager: str
) -> None:
    survey_id, _, people = await _anonymous_survey(runtime, graphql, oidc_provider)
    asking = await person(runtime, oidc_provider, "asking", roles_held=MANAGERS[manager])

    body = await graphql(EVERYTHING_STAFF_CAN_ASK, {"id": survey_id}, headers=asking.headers)

    assert "errors" not in body, body
    survey: dict[str, Any] = body["data"]["survey"]
    exported = list(csv.reader(io.StringIO(survey["responsesCsv"].removeprefix("\ufeff")), delimiter=";"))
    assert exported[0] == ["Nr.", "Tag", "F1: Ihre Nummer?", "F2: Ihr Satz?"]
    rows = exported[1:]
    assert len(rows) == RESPONDENTS
    assert sorted(int(row[2]) for row in rows) == list(range(RESPONDENTS))
    # The export's order is not the order of answering (nor its reverse): it follows random ids.
    assert [int(row[2]) for row in rows] not in (list(range(RESPONDENTS)), list(reversed(range(RESPONDENTS))))
    assert len({row[1] for row in rows}) == 1  # the day only, the same for everyone who answered today
    for identifier in _identifiers(people):
        assert identifier not in str(body)
    results = survey["results"]
    assert results["responseCount"] == RESPONDENTS
    assert [day["count"] for day in results["responsesByDay"]] == [RESPONDENTS]
    assert results["questions"][1]["texts"] == sorted(TEXTS)
    assert survey["myParticipation"] == {"tookPart": False, "answers": None}


async def test_a_participant_learns_only_that_they_took_part(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, people = await _anonymous_survey(runtime, graphql, oidc_provider)

    mine = await graphql(
        "query Mine($id: ID!) { survey(id: $id) { myParticipation { tookPart answers { text } } } }",
        {"id": survey_id},
        headers=people[3].headers,
    )

    assert mine["data"]["survey"]["myParticipation"] == {"tookPart": True, "answers": None}


async def test_the_api_has_no_field_that_lists_participants_or_respondents(graphql: GraphQLClient) -> None:
    types = (await graphql(SURVEY_TYPES))["data"]["__schema"]["types"]

    def named(type_ref: dict[str, Any] | None) -> str | None:
        while type_ref is not None and type_ref.get("name") is None:
            type_ref = type_ref.get("ofType")
        return type_ref["name"] if type_ref else None

    survey_fields = {
        (kind["name"], field["name"]): named(field["type"])
        for kind in types
        if kind["name"].startswith("Survey") and kind["fields"]
        for field in kind["fields"]
    }
    assert survey_fields
    assert not [where for where, returned in survey_fields.items() if returned in {"User", "Me"}]
    assert not [
        where for where in survey_fields if "respondent" in where[1].lower() or "participant" in where[1].lower()
    ]


async def test_participations_and_responses_share_no_key_and_no_time(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, people = await _anonymous_survey(runtime, graphql, oidc_provider)
    async with runtime.engine.connect() as connection:
        columns = {
            table: {
                (row[0], row[1])
                for row in await connection.execute(
                    text("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = :table"),
                    {"table": table},
                )
            }
            for table in ("survey_participations", "survey_responses", "survey_answers")
        }
        responses = (
            await connection.execute(
                text("SELECT id, respondent_id FROM survey_responses WHERE survey_id = :id"), {"id": row_id(survey_id)}
            )
        ).all()
        # Try the join an administrator with database access would try: on every column the tables share.
        shared = {name for name, _ in columns["survey_participations"]} & {
            name for name, _ in columns["survey_responses"]
        }
        joined = await connection.scalar(
            text(
                "SELECT count(*) FROM survey_participations p JOIN survey_responses r "
                "ON p.survey_id = r.survey_id AND p.town_id = r.town_id WHERE p.user_id = :user"
            ),
            {"user": people[0].user_id},
        )

    assert shared == {"survey_id", "town_id"}
    assert joined == RESPONDENTS  # one person's participation matches every response alike
    kinds = {kind for table in columns.values() for _, kind in table}
    assert not {"timestamp with time zone", "timestamp without time zone"} & kinds
    assert all(respondent is None for _, respondent in responses)
    assert all(uuid.UUID(str(response_id)).version == 4 for response_id, _ in responses)
    assert all(str(someone.user_id) not in str(responses) for someone in people)


async def test_one_response_per_person_still_holds(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, _, people = await _anonymous_survey(runtime, graphql, oidc_provider)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        question_ids = [
            str(row[0])
            for row in await session.execute(
                text("SELECT id FROM survey_questions WHERE survey_id = :id ORDER BY position"),
                {"id": row_id(survey_id)},
            )
        ]
    from strawberry.relay import to_base64  # noqa: PLC0415

    again = await answer(
        graphql,
        people[0],
        survey_id,
        [
            {"questionId": to_base64("SurveyQuestion", question_ids[0]), "value": 99},
            {"questionId": to_base64("SurveyQuestion", question_ids[1]), "text": "Noch einmal"},
        ],
    )

    assert again["code"] == "ALREADY_ANSWERED"
    assert await queued_jobs(runtime) == []
