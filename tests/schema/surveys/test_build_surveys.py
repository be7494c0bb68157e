"""Building surveys: only the town's staff (and admins) draft, define, publish, close, archive and export;
drafts stay invisible to everyone else; the lifecycle refuses steps out of order and changes nothing then."""

from __future__ import annotations

from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import town_global_id
from tests.support.ideas import count_rows, queued_jobs
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import (
    ARCHIVE_SURVEY,
    CLOSE_SURVEY,
    DRAFT_SURVEY,
    PUBLISH_SURVEY,
    SET_QUESTIONS,
    STANDARD_QUESTIONS,
    answer,
    draft,
    in_days,
    published_survey,
    set_questions,
)

Roles = tuple[tuple[Role, str | None], ...]
CALLERS: dict[str, Roles | None] = {
    "anonymous": None,
    "citizen": (),
    "moderator of Soest": ((Role.MODERATOR, "soest"),),
    "staff of Olpe": ((Role.STAFF, "olpe"),),
    "admin of Olpe": ((Role.ADMIN, "olpe"),),
    "region staff": ((Role.REGION_STAFF, None),),
    "staff of Soest": ((Role.STAFF, "soest"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "region admin": ((Role.REGION_ADMIN, None),),
}
RUNS_SOEST_SURVEYS = frozenset({"staff of Soest", "admin of Soest", "region admin"})
SURVEY = "query Survey($id: ID!) { survey(id: $id) { id status questions { kind } } }"
TOWN_SURVEYS = """
query TownSurveys($slug: String!, $first: Int!, $after: String, $status: SurveyStatus) {
  town(slug: $slug) {
    surveys(first: $first, after: $after, status: $status) {
      edges { node { id title status } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
EXPORT = "query Export($id: ID!) { survey(id: $id) { title responsesCsv } }"


async def _caller(runtime: Runtime, provider: OidcProvider, name: str) -> dict[str, str]:
    held = CALLERS[name]
    if held is None:
        return {}
    found = await person(runtime, provider, f"caller-{name.replace(' ', '-').lower()}", roles_held=held, name=name)
    return found.headers


async def _staff(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))


def _top_level_code(body: dict[str, Any], field: str) -> str:
    assert (body.get("data") or {}).get(field) is None, body
    assert len(body["errors"]) == 1, body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def _footprint(runtime: Runtime) -> tuple[int, int, int, int]:
    return (
        await count_rows(runtime, "surveys"),
        await count_rows(runtime, "survey_questions"),
        await count_rows(runtime, "audit_log"),
        len(await queued_jobs(runtime)),
    )


@pytest.mark.parametrize("name", list(CALLERS))
async def test_only_the_towns_staff_draft_surveys(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, name: str
) -> None:
    headers = await _caller(runtime, oidc_provider, name)
    survey_input = {"townId": await town_global_id(runtime, "soest"), "title": "Mobilität 2030", "closesAt": in_days(3)}
    before = await _footprint(runtime)

    body = await graphql(DRAFT_SURVEY, {"input": survey_input}, headers=headers)

    if name in RUNS_SOEST_SURVEYS:
        assert body["data"]["draftSurvey"]["survey"]["status"] == "DRAFT"
        assert await count_rows(runtime, "surveys") == 1
    else:
        expected = "UNAUTHENTICATED" if name == "anonymous" else "FORBIDDEN"
        assert _top_level_code(body, "draftSurvey") == expected
        assert await _footprint(runtime) == before


@pytest.mark.parametrize("name", list(CALLERS))
async def test_drafts_are_seen_and_defined_only_by_the_towns_staff(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, name: str
) -> None:
    survey_id = await draft(graphql, runtime, await _staff(runtime, oidc_provider))
    headers = await _caller(runtime, oidc_provider, name)

    seen = (await graphql(SURVEY, {"id": survey_id}, headers=headers))["data"]["survey"]
    listed = (await graphql(TOWN_SURVEYS, {"slug": "soest", "first": 10}, headers=headers))["data"]["town"]["surveys"]
    defined = await graphql(
        SET_QUESTIONS, {"input": {"surveyId": survey_id, "questions": STANDARD_QUESTIONS}}, headers=headers
    )

    if name in RUNS_SOEST_SURVEYS:
        assert seen == {"id": survey_id, "status": "DRAFT", "questions": []}
        assert [edge["node"]["id"] for edge in listed["edges"]] == [survey_id]
        assert defined["data"]["setSurveyQuestions"]["__typename"] == "SurveyQuestionsSet"
        assert await count_rows(runtime, "survey_questions") == len(STANDARD_QUESTIONS)
        return
    assert seen is None
    assert listed["edges"] == []
    if name == "anonymous":
        assert _top_level_code(defined, "setSurveyQuestions") == "UNAUTHENTICATED"
    else:
        assert defined["data"]["setSurveyQuestions"]["code"] == "UNKNOWN_SURVEY"
    assert await count_rows(runtime, "survey_questions") == 0


@pytest.mark.parametrize("name", list(CALLERS))
async def test_only_the_towns_staff_close_and_export(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider, name: str
) -> None:
    survey_id, _ = await published_survey(graphql, runtime, await _staff(runtime, oidc_provider))
    headers = await _caller(runtime, oidc_provider, name)
    audited = await count_rows(runtime, "audit_log")

    exported = await graphql(EXPORT, {"id": survey_id}, headers=headers)
    closed = await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=headers)

    if name in RUNS_SOEST_SURVEYS:
        assert exported["data"]["survey"]["responsesCsv"].startswith("\ufeffNr.;Person-ID;Name;Tag;F1: ")
        assert closed["data"]["closeSurvey"]["survey"]["status"] == "CLOSED"
        return
    expected = "UNAUTHENTICATED" if name == "anonymous" else "FORBIDDEN"
    # The error stays at the field; the survey itself is still returned.
    assert exported["data"] == {"survey": {"title": "Mobilität in der Innenstadt", "responsesCsv": None}}
    assert exported["errors"][0]["extensions"]["code"] == expected
    assert exported["errors"][0]["path"] == ["survey", "responsesCsv"]
    assert _top_level_code(closed, "closeSurvey") == expected
    assert await count_rows(runtime, "surveys", "status = 'published'") == 1
    assert await count_rows(runtime, "audit_log") == audited
    assert await queued_jobs(runtime) == []


async def test_the_lifecycle_from_draft_to_archive(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)

    too_early = (await graphql(PUBLISH_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["publishSurvey"]
    await set_questions(graphql, staff, survey_id)
    published = (await graphql(PUBLISH_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["publishSurvey"]
    again = (await graphql(PUBLISH_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["publishSurvey"]
    archived_too_early = (await graphql(ARCHIVE_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]
    closed = (await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["closeSurvey"]
    archived = (await graphql(ARCHIVE_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["archiveSurvey"]

    assert (too_early["code"], too_early["field"]) == ("QUESTION_INVALID", "questions")
    assert published["survey"] == {"id": survey_id, "status": "PUBLISHED", "isOpen": True}
    assert again["code"] == "SURVEY_STATUS_CHANGE"
    assert archived_too_early["archiveSurvey"]["code"] == "SURVEY_STATUS_CHANGE"
    assert closed["survey"] == {"id": survey_id, "status": "CLOSED", "isOpen": False}
    assert archived["survey"] == {"id": survey_id, "status": "ARCHIVED"}
    assert await count_rows(runtime, "audit_log", "action LIKE 'survey.%'") == 3
    # Archived surveys leave the public list; the staff still find them.
    public = (await graphql(TOWN_SURVEYS, {"slug": "soest", "first": 5}))["data"]["town"]["surveys"]["edges"]
    assert public == []


async def test_questions_can_be_changed_until_the_first_response(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id, question_ids = await published_survey(graphql, runtime, staff)
    fewer = STANDARD_QUESTIONS[:2]

    question_ids = await set_questions(graphql, staff, survey_id, fewer)
    clara = await person(runtime, oidc_provider, "clara")
    first_two = [
        {"questionId": question_ids[0], "optionIndexes": [0]},
        {"questionId": question_ids[1], "optionIndexes": [1]},
    ]
    assert (await answer(graphql, clara, survey_id, first_two))["__typename"] == "SurveyAnswered"
    refused = await graphql(
        SET_QUESTIONS, {"input": {"surveyId": survey_id, "questions": STANDARD_QUESTIONS}}, headers=staff.headers
    )

    assert refused["data"]["setSurveyQuestions"] == {
        "__typename": "InvalidInput",
        "code": "SURVEY_HAS_RESPONSES",
        "field": "questions",
        "message": "Es gibt schon Antworten: die Fragen können nicht mehr geändert werden.",
    }
    assert await count_rows(runtime, "survey_questions") == 2
    assert await count_rows(runtime, "survey_answers") == 2


async def test_published_surveys_keep_their_settings(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id, _ = await published_survey(graphql, runtime, staff)

    body = await graphql(
        "mutation U($input: UpdateSurveyInput!) { updateSurvey(input: $input) { ... on UserError { code } } }",
        {"input": {"surveyId": survey_id, "isAnonymous": True}},
        headers=staff.headers,
    )

    assert body["data"]["updateSurvey"] == {"code": "SURVEY_NOT_EDITABLE"}
    assert await count_rows(runtime, "surveys", "is_anonymous") == 0


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"title": "Kurz"}, ("TITLE_LENGTH", "title")),
        ({"opensAt": in_days(5), "closesAt": in_days(4)}, ("SURVEY_DATES_INVALID", "opensAt")),
        ({"closesAt": "2030-01-01T10:00:00"}, ("SURVEY_DATES_INVALID", "closesAt")),
        ({"description": "x" * 5001}, ("BODY_TOO_LONG", "description")),
    ],
)
async def test_invalid_drafts_are_refused_and_change_nothing(
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
    fields: dict[str, str],
    refusal: tuple[str, str],
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_input = {
        "townId": await town_global_id(runtime, "soest"),
        "title": "Mobilität 2030",
        "closesAt": in_days(3),
        **fields,
    }
    before = await _footprint(runtime)

    result = (await graphql(DRAFT_SURVEY, {"input": survey_input}, headers=staff.headers))["data"]["draftSurvey"]

    assert (result["__typename"], result["code"], result["field"]) == ("InvalidInput", *refusal)
    assert result["message"]
    assert await _footprint(runtime) == before


async def test_invalid_questions_are_refused_through_the_api(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff)
    broken = [*STANDARD_QUESTIONS[:1], {"kind": "SCALE", "prompt": "Wie sehr?", "scaleMin": 3, "scaleMax": 2}]

    result = await graphql(
        SET_QUESTIONS, {"input": {"surveyId": survey_id, "questions": broken}}, headers=staff.headers
    )

    assert result["data"]["setSurveyQuestions"]["code"] == "QUESTION_INVALID"
    assert result["data"]["setSurveyQuestions"]["field"] == "questions.1.min"
    assert await count_rows(runtime, "survey_questions") == 0


async def test_a_towns_surveys_page_by_status(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    published = [(await published_survey(graphql, runtime, staff, title=f"Umfrage Nummer {n}"))[0] for n in range(3)]
    await draft(graphql, runtime, staff, title="Noch ein Entwurf")

    first = (await graphql(TOWN_SURVEYS, {"slug": "soest", "first": 2, "status": "PUBLISHED"}))["data"]["town"][
        "surveys"
    ]
    rest = (
        await graphql(
            TOWN_SURVEYS, {"slug": "soest", "first": 2, "status": "PUBLISHED", "after": first["pageInfo"]["endCursor"]}
        )
    )["data"]["town"]["surveys"]
    everything = (await graphql(TOWN_SURVEYS, {"slug": "soest", "first": 10}))["data"]["town"]["surveys"]

    assert [edge["node"]["id"] for edge in first["edges"] + rest["edges"]] == list(reversed(published))
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    assert len(everything["edges"]) == 3


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_a_page_size_out_of_range_is_refused_like_every_list(
    first: int, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    await published_survey(graphql, runtime, staff)

    body = await graphql(TOWN_SURVEYS, {"slug": "soest", "first": first})

    assert _top_level_code(body, "town") == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == "`first` muss zwischen 1 und 100 liegen."


async def test_a_draft_changes_only_the_fields_given(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await draft(graphql, runtime, staff, opensAt=in_days(1), description="Worum es geht.")
    update = """
    mutation U($input: UpdateSurveyInput!) {
      updateSurvey(input: $input) {
        ... on SurveyUpdated { survey { title description audience isAnonymous resultsPublic opensAt } }
        ... on UserError { code field }
      }
    }
    """

    changed = await graphql(
        update,
        {"input": {"surveyId": survey_id, "title": "Neuer Titel", "audience": "RESIDENTS", "opensAt": None}},
        headers=staff.headers,
    )

    assert changed["data"]["updateSurvey"]["survey"] == {
        "title": "Neuer Titel",
        "description": "Worum es geht.",
        "audience": "RESIDENTS",
        "isAnonymous": False,
        "resultsPublic": False,
        "opensAt": None,
    }
