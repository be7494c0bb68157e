"""Answering surveys: once per person (also under concurrency), only while open, only by the audience."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, many_people, queued_jobs, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import (
    ANSWER_SURVEY,
    answer,
    in_days,
    move_closing_time,
    published_survey,
    set_home_town,
    standard_answers,
)

CONCURRENT_ATTEMPTS = 200
MY_PARTICIPATION = """
query Mine($id: ID!) {
  survey(id: $id) {
    responseCount
    myParticipation { tookPart answers { questionId optionIndexes otherText text value } }
  }
}
"""


async def _staff(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))


async def _stored(runtime: Runtime) -> tuple[int, int, int]:
    return (
        await count_rows(runtime, "survey_participations"),
        await count_rows(runtime, "survey_responses"),
        await count_rows(runtime, "survey_answers"),
    )


async def test_a_citizen_answers_once_and_sees_their_own_answers(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    clara = await person(runtime, oidc_provider, "clara")

    first = await answer(graphql, clara, survey_id, standard_answers(question_ids, mode=1))
    second = await answer(graphql, clara, survey_id, standard_answers(question_ids))

    assert first["__typename"] == "SurveyAnswered"
    assert first["survey"]["responseCount"] == 1
    assert first["survey"]["myParticipation"] == {"tookPart": True}
    assert second == {
        "__typename": "InvalidInput",
        "code": "ALREADY_ANSWERED",
        "field": None,
        "message": "Sie haben an dieser Umfrage schon teilgenommen.",
    }
    assert await _stored(runtime) == (1, 1, 7)
    assert ("surveys.compute_results", (str(row_id(survey_id)),)) in await queued_jobs(runtime)
    mine = (await graphql(MY_PARTICIPATION, {"id": survey_id}, headers=clara.headers))["data"]["survey"]
    assert mine["responseCount"] == 1
    assert mine["myParticipation"]["tookPart"] is True
    assert [
        (item["questionId"], item["optionIndexes"], item["text"], item["value"])
        for item in mine["myParticipation"]["answers"]
    ] == [
        (question_ids[0], [1], None, None),
        (question_ids[1], [0, 3], None, None),
        (question_ids[2], None, "Mehr Radwege", None),
        (question_ids[3], None, None, 4.0),
        (question_ids[4], [2, 0, 1], None, None),
        (question_ids[5], None, None, 12.5),
        (question_ids[6], None, "Sichere Abstellplätze", None),
    ]


async def test_nobody_sees_another_persons_answers(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    await answer(graphql, clara, survey_id, standard_answers(question_ids))

    for viewer_headers in (omar.headers, {}):
        seen = (await graphql(MY_PARTICIPATION, {"id": survey_id}, headers=viewer_headers))["data"]["survey"]
        assert seen["responseCount"] == 1
        assert seen["myParticipation"] in ({"tookPart": False, "answers": None}, None)


async def test_a_refused_answer_changes_nothing(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    clara = await person(runtime, oidc_provider, "clara")
    invalid = standard_answers(question_ids)
    invalid[3] = {"questionId": question_ids[3], "value": 9}

    refused = await answer(graphql, clara, survey_id, invalid)
    then = await answer(graphql, clara, survey_id, standard_answers(question_ids))

    assert refused["__typename"] == "InvalidInput"
    assert refused["code"] == "ANSWER_INVALID"
    assert refused["message"] == "Frage 4: Bitte eine ganze Zahl von 1 bis 5 wählen."
    assert then["__typename"] == "SurveyAnswered"
    assert await _stored(runtime) == (1, 1, 6)


async def test_answers_need_a_login(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))

    body = await graphql(ANSWER_SURVEY, {"input": {"surveyId": survey_id, "answers": standard_answers(question_ids)}})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _stored(runtime) == (0, 0, 0)


async def test_closed_drafted_and_not_yet_open_surveys_take_no_answers(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    clara = await person(runtime, oidc_provider, "clara")
    later_id, later_questions = await published_survey(graphql, runtime, staff, opensAt=in_days(1))
    past_id, past_questions = await published_survey(graphql, runtime, staff)
    await move_closing_time(runtime, past_id, datetime.now(UTC) - timedelta(seconds=1))

    not_yet = await answer(graphql, clara, later_id, standard_answers(later_questions))
    too_late = await answer(graphql, clara, past_id, standard_answers(past_questions))

    assert not_yet["code"] == too_late["code"] == "SURVEY_NOT_OPEN"
    assert not_yet["message"] == "Diese Umfrage nimmt gerade keine Antworten an."
    assert await _stored(runtime) == (0, 0, 0)


async def test_a_residents_survey_takes_answers_only_from_residents(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(
        graphql, runtime, await _staff(runtime, oidc_provider), audience="RESIDENTS"
    )
    resident = await person(runtime, oidc_provider, "clara")
    await set_home_town(runtime, resident.user_id, "soest")
    neighbour = await person(runtime, oidc_provider, "omar")
    await set_home_town(runtime, neighbour.user_id, "olpe")
    nowhere = await person(runtime, oidc_provider, "nomad")

    refused = [
        await answer(graphql, other, survey_id, standard_answers(question_ids)) for other in (neighbour, nowhere)
    ]
    accepted = await answer(graphql, resident, survey_id, standard_answers(question_ids))

    assert [outcome["code"] for outcome in refused] == ["NOT_IN_AUDIENCE", "NOT_IN_AUDIENCE"]
    assert accepted["__typename"] == "SurveyAnswered"
    assert await _stored(runtime) == (1, 1, 6)


async def test_concurrent_attempts_by_one_person_store_exactly_one_response(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    clara = await person(runtime, oidc_provider, "clara")
    variables = {"input": {"surveyId": survey_id, "answers": standard_answers(question_ids)}}

    # All attempts in flight at once through the app, each its own request and session (the pool has 10).
    results = await asyncio.gather(
        *(graphql(ANSWER_SURVEY, variables, headers=clara.headers) for _ in range(CONCURRENT_ATTEMPTS))
    )

    assert all("errors" not in result for result in results), next(r for r in results if "errors" in r)
    outcomes = [result["data"]["answerSurvey"]["__typename"] for result in results]
    codes = [result["data"]["answerSurvey"].get("code") for result in results]
    assert outcomes.count("SurveyAnswered") == 1
    assert codes.count("ALREADY_ANSWERED") == CONCURRENT_ATTEMPTS - 1
    assert await _stored(runtime) == (1, 1, 6)


async def test_concurrent_answers_of_many_people_are_all_stored(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    survey_id, question_ids = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    people = await many_people(runtime, oidc_provider, [f"respondent-{number:02d}" for number in range(40)])

    results = await asyncio.gather(
        *(answer(graphql, someone, survey_id, standard_answers(question_ids)) for someone in people * 2)
    )

    assert [result["__typename"] for result in results].count("SurveyAnswered") == len(people)
    assert await _stored(runtime) == (len(people), len(people), len(people) * 6)
