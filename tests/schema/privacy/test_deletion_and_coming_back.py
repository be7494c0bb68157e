"""Deleting one's account and coming back does not make a second person: "one per person" holds across it.

Tokens issued before the deletion are refused (they would silently open a new account); a fresh login of the
same identity gets a new, empty account that cannot report an item the deleted one reported (while the report is
open) nor answer a survey the deleted one answered (while it runs). What is kept for that is a keyed digest of
the identity, and the `privacy.purge` cron forgets it once it protects nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.privacy.identities import purge_identities
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person
from tests.support.privacy import DELETE, REPORT, Citizen, Life, citizen, live_a_little
from tests.support.surveys import ANSWER_SURVEY, standard_answers

ME = "query { me { user { displayName } } }"
QUESTIONS = "query Q($id: ID!) { node(id: $id) { ... on Survey { questions { id } } } }"
REPORT_AGAIN = """
mutation R($id: ID!) {
  reportContent(input: {ideaId: $id, reason: SPAM, text: "Werbung"}) { __typename ... on UserError { code } }
}
"""


async def _delete(graphql: GraphQLClient, who: Citizen | Person) -> None:
    body = await graphql(DELETE, {"confirm": True}, headers=who.headers)
    assert body["data"]["deleteMyAccount"]["__typename"] == "AccountDeleted", body


async def _alive_and_deleted(runtime: Runtime) -> tuple[int, int]:
    return (
        await count_rows(runtime, "users", "deleted_at IS NULL"),
        await count_rows(runtime, "users", "deleted_at IS NOT NULL"),
    )


@pytest.fixture
async def clara_lived(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> tuple[Citizen, Life]:
    clara = await citizen(runtime, oidc_provider, "clara", "Clara Citizen")
    return clara, await live_a_little(graphql, runtime, oidc_provider, clara)


async def test_a_token_issued_before_the_deletion_is_refused_and_opens_no_account(
    client: httpx.AsyncClient, graphql: GraphQLClient, runtime: Runtime, clara_lived: tuple[Citizen, Life]
) -> None:
    clara, life = clara_lived
    people_before = await _alive_and_deleted(runtime)
    await _delete(graphql, clara)

    me = await client.post("/graphql", json={"query": ME}, headers=clara.headers)
    report = await client.post(
        "/graphql", json={"query": REPORT, "variables": {"id": life.supported_idea_id}}, headers=clara.headers
    )

    for response in (me, report):
        assert response.status_code == 401, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "account deleted" in response.json()["errors"][0]["message"]
    alive, deleted = people_before
    assert await _alive_and_deleted(runtime) == (alive - 1, deleted + 1), "no new account"
    assert await count_rows(runtime, "reports") == 1


async def _fresh_login(provider: OidcProvider) -> Person:
    """A real token from a new login at the provider, issued after the deletion (`iat` has second precision)."""
    await asyncio.sleep(1.1)
    token = await asyncio.to_thread(provider.access_token, "clara")
    return Person(user_id=uuid.uuid4(), token=token)  # the id is unknown until the service has seen the token


async def _answer(graphql: GraphQLClient, who: Person, survey_id: str) -> dict[str, Any]:
    questions = (await graphql(QUESTIONS, {"id": survey_id}))["data"]["node"]["questions"]
    variables = {"input": {"surveyId": survey_id, "answers": standard_answers([q["id"] for q in questions])}}
    body = await graphql(ANSWER_SURVEY, variables, headers=who.headers)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["answerSurvey"]
    return result


async def test_a_fresh_login_gets_a_new_account_that_cannot_report_or_answer_again(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider, clara_lived: tuple[Citizen, Life]
) -> None:
    clara, life = clara_lived
    await _delete(graphql, clara)
    again = await _fresh_login(oidc_provider)

    me = await graphql(ME, headers=again.headers)
    reported = await graphql(REPORT_AGAIN, {"id": life.supported_idea_id}, headers=again.headers)
    answers = [await _answer(graphql, again, survey) for survey in (life.anonymous_survey_id, life.named_survey_id)]

    assert me["data"]["me"]["user"]["displayName"] == "Clara Citizen", "a new, working account"
    assert reported["data"]["reportContent"]["code"] == "ALREADY_REPORTED", reported
    assert [answer["code"] for answer in answers] == ["ALREADY_ANSWERED", "ALREADY_ANSWERED"], answers
    assert await count_rows(runtime, "reports") == 1
    assert await count_rows(runtime, "survey_participations") == 2
    assert await count_rows(runtime, "survey_responses") == 2


async def test_what_is_kept_names_nobody_and_is_forgotten_when_it_protects_nothing(
    graphql: GraphQLClient, runtime: Runtime, clara_lived: tuple[Citizen, Life]
) -> None:
    clara, life = clara_lived
    await _delete(graphql, clara)
    assert await count_rows(runtime, "deleted_identities") == 1
    assert await count_rows(runtime, "erased_identity_holds") == 3  # two running surveys, one open report
    async with runtime.engine.connect() as connection:
        kept = (await connection.execute(text("SELECT digest FROM deleted_identities"))).scalar_one()
    assert len(kept) == 32
    for needle in (b"clara", clara.subject.encode(), clara.email.encode()):
        assert needle not in kept

    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE surveys SET status = 'closed' WHERE id = :id"), {"id": row_id(life.named_survey_id)}
        )
        await connection.execute(text("UPDATE reports SET resolved_at = now()"))
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await purge_identities(session) == 2
    assert await count_rows(runtime, "erased_identity_holds") == 1  # the anonymous survey still runs

    async with runtime.engine.begin() as connection:
        await connection.execute(text("UPDATE deleted_identities SET deleted_at = now() - interval '25 hours'"))
        await connection.execute(text("UPDATE surveys SET status = 'closed'"))
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await purge_identities(session) == 2
    assert await count_rows(runtime, "deleted_identities") == 0
    assert await count_rows(runtime, "erased_identity_holds") == 0
