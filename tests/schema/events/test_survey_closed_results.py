"""`survey.closed` carries the results when they are public: computed in the close's transaction (so the event and
`Survey.results` agree the moment it commits), without free text, and gone again when the survey is archived
before delivery. Results kept for staff never appear in an event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from mitmachen.runtime import Runtime
from service.auth.viewer import Grant, Role, Viewer
from service.events.models import Event
from service.surveys.models import Results
from service.surveys.service import close_due_surveys, close_survey
from service.towns.models import Town
from tests.conftest import GraphQLClient
from tests.service.webhooks.receiver import receiver
from tests.support.ideas import row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import (
    ARCHIVE_SURVEY,
    CLOSE_SURVEY,
    answer,
    move_closing_time,
    published_survey,
    standard_answers,
)
from tests.support.webhooks import subscribe, town_admin
from workers.jobs.webhooks import deliver

EVENTS = "query { events(first: 100) { edges { node { type node payload } } } }"
PUBLIC_RESULTS = """query R($id: ID!) { survey(id: $id) { results {
  responseCount questions { answered otherCount options { label count share } } } } }"""
SECRET_TEXTS = ("Mehr Radwege unbedingt", "Ruhe am Sonntag")


async def _staff(runtime: Runtime, provider: OidcProvider) -> Person:
    return await person(runtime, provider, "closed-staff", roles_held=((Role.STAFF, "soest"),))


async def _answered(
    graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider, staff: Person, **fields: Any
) -> str:
    """A published survey of Soest answered by two people (no results job has run)."""
    survey_id, question_ids = await published_survey(graphql, runtime, staff, **fields)
    for number, text in enumerate(SECRET_TEXTS):
        someone = await person(runtime, provider, f"closed-respondent-{number}-{survey_id[-6:]}")
        given = standard_answers(question_ids, mode=number, text_answer=text)
        assert (await answer(graphql, someone, survey_id, given))["__typename"] == "SurveyAnswered"
    return survey_id


async def _closed_events(graphql: GraphQLClient) -> dict[str, dict[str, Any]]:
    body = await graphql(EVENTS)
    return {
        edge["node"]["node"]: edge["node"]["payload"]
        for edge in body["data"]["events"]["edges"]
        if edge["node"]["type"] == "survey.closed"
    }


async def test_a_survey_closed_with_public_results_carries_them_as_the_public_reads_them(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    by_hand = await _answered(graphql, runtime, oidc_provider, staff, resultsPublic=True, title="Radverkehr am Wall")
    when_due = await _answered(graphql, runtime, oidc_provider, staff, resultsPublic=True, title="Parken am Markt")

    closed = await graphql(CLOSE_SURVEY, {"id": by_hand}, headers=staff.headers)
    await move_closing_time(runtime, when_due, datetime.now(UTC) - timedelta(minutes=1))
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert len(await close_due_surveys(session)) == 1

    assert closed["data"]["closeSurvey"]["__typename"] == "SurveyClosed", closed
    events = await _closed_events(graphql)
    assert set(events) == {by_hand, when_due}
    for survey_id in (by_hand, when_due):
        data = events[survey_id]["data"]
        results = data["results"]
        # What anyone reads through the API right after the close, without waiting for a worker.
        public = (await graphql(PUBLIC_RESULTS, {"id": survey_id}))["data"]["survey"]["results"]
        assert public is not None
        assert results["responseCount"] == public["responseCount"] == 2
        single, multiple, free_text, scale, ranking, number, follow_up = results["questions"]
        assert [(o["label"], o["count"], o["share"]) for o in single["options"]] == [
            (o["label"], o["count"], o["share"]) for o in public["questions"][0]["options"]
        ]
        assert [(o["label"], o["count"]) for o in single["options"]] == [("Auto", 1), ("Fahrrad", 1), ("Bus", 0)]
        assert (single["kind"], bool(single["question"]), bool(single["prompt"])) == ("SINGLE_CHOICE", True, True)
        assert [o["count"] for o in multiple["options"]] == [2, 0, 0, 2]
        assert free_text == {
            "question": free_text["question"],
            "prompt": free_text["prompt"],
            "kind": "FREE_TEXT",
            "answered": 2,
        }
        assert (scale["mean"], scale["median"]) == (4, 4)
        assert [(r["label"], r["score"]) for r in ranking["rankScores"]] == [
            ("Klima", 4),
            ("Verkehr", 2),
            ("Wohnen", 6),
        ]
        assert number["mean"] == 12.5
        assert follow_up["answered"] == 1
        assert results["responsesByDay"][0]["count"] == 2
        dumped = json.dumps(data, ensure_ascii=False)
        assert not any(text in dumped for text in (*SECRET_TEXTS, "Sichere Abstellplätze"))
        assert "texts" not in dumped
        assert "otherTexts" not in dumped


async def test_results_kept_for_staff_are_in_no_event(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await _answered(graphql, runtime, oidc_provider, staff, title="Radverkehr am Wall")

    closed = await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=staff.headers)

    assert closed["data"]["closeSurvey"]["__typename"] == "SurveyClosed", closed
    events = await _closed_events(graphql)
    assert events[survey_id]["data"] == {"title": "Radverkehr am Wall"}
    assert (await graphql(PUBLIC_RESULTS, {"id": survey_id}))["data"]["survey"]["results"] is None


async def test_a_close_that_rolls_back_leaves_no_event_and_no_results(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    survey_id = await _answered(graphql, runtime, oidc_provider, staff, resultsPublic=True)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        before = await session.scalar(select(func.count()).select_from(Event))
    viewer = Viewer(user_id=staff.user_id, grants=frozenset({Grant(Role.STAFF, await _soest(runtime))}))

    class Abort(Exception):
        pass

    seen_inside: list[Any] = []

    async def close_then_fail() -> None:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await close_survey(session, viewer, survey_id=row_id(survey_id))
            seen_inside.append(
                await session.scalar(select(Event.data).where(Event.type == "survey.closed").order_by(Event.sequence))
            )
            raise Abort

    with pytest.raises(Abort):
        await close_then_fail()

    assert seen_inside[0]["results"]["responseCount"] == 2
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(func.count()).select_from(Event)) == before
        assert await session.get(Results, row_id(survey_id)) is None
    assert await _closed_events(graphql) == {}


async def _soest(runtime: Runtime) -> Any:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(select(Town.id).where(Town.slug == "soest"))


async def test_a_receiver_gets_the_results_and_nothing_of_a_survey_archived_before_delivery(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    admin = await town_admin(runtime, oidc_provider, "soest")
    kept = await _answered(graphql, runtime, oidc_provider, staff, resultsPublic=True, title="Radverkehr am Wall")
    archived = await _answered(graphql, runtime, oidc_provider, staff, resultsPublic=True, title="Parken am Markt")
    with receiver() as hook:
        created = await subscribe(graphql, admin, "soest", hook.url(), ["survey.closed"])
        for survey_id in (kept, archived):
            await graphql(CLOSE_SURVEY, {"id": survey_id}, headers=staff.headers)
        await graphql(ARCHIVE_SURVEY, {"id": archived}, headers=staff.headers)
        await deliver({"runtime": runtime}, schedule=(timedelta(0),))

    verifier = Webhook(created["secret"])
    payloads = {payload["node"]: payload for payload in (verifier.verify(i.body, i.headers) for i in hook.received)}
    assert set(payloads) == {kept, archived}
    assert payloads[kept]["data"]["results"]["responseCount"] == 2
    assert payloads[kept]["data"]["title"] == "Radverkehr am Wall"
    # Archived before delivery: the results are no longer public, and nothing of the survey goes out.
    assert payloads[archived]["data"] == {}
