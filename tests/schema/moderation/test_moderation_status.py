"""moderationStatus: authors (and the town's moderators) see why a contribution stands where it stands."""

from __future__ import annotations

import uuid

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import caller, global_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from workers.settings import create_worker

TOWN = "query Town($slug: String!) { town(slug: $slug) { id strategyAreas { id } } }"
SUBMIT = """
mutation Submit($input: SubmitIdeaInput!) {
  submitIdea(input: $input) { __typename ... on IdeaSubmitted { idea { id lifecycle } } }
}
"""
STATUS = """
query Status($id: ID!) {
  moderationStatus(subjectId: $id) {
    lifecycle reasons explanations heldAt
    subject { __typename ... on Idea { id } }
    lastDecision { outcome automated reasons note }
  }
}
"""


async def _submit(graphql: GraphQLClient, headers: dict[str, str], title: str) -> str:
    town = (await graphql(TOWN, {"slug": "soest"}))["data"]["town"]
    variables = {
        "input": {
            "townId": town["id"],
            "strategyAreaId": town["strategyAreas"][0]["id"],
            "title": title,
            "body": "Das muss hier einmal gesagt werden.",
        }
    }
    body = await graphql(SUBMIT, variables, headers=headers)
    assert body["data"]["submitIdea"]["idea"]["lifecycle"] == "PENDING"
    idea_id: str = body["data"]["submitIdea"]["idea"]["id"]
    return idea_id


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def test_the_author_sees_why_the_submitted_idea_is_held(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "author", name="Anna Autorin")
    idea_id = await _submit(graphql, author.headers, "Der Planer ist ein Vollidiot")

    await _run_worker(settings, runtime)
    body = await graphql(STATUS, {"id": idea_id}, headers=author.headers)

    assert body == {
        "data": {
            "moderationStatus": {
                "lifecycle": "PENDING",
                "reasons": ["ABUSIVE_LANGUAGE"],
                "explanations": ["Der Text enthält beleidigende oder abwertende Ausdrücke."],
                "heldAt": body["data"]["moderationStatus"]["heldAt"],
                "subject": {"__typename": "Idea", "id": idea_id},
                "lastDecision": {"outcome": "HOLD", "automated": True, "reasons": ["ABUSIVE_LANGUAGE"], "note": ""},
            }
        }
    }
    assert body["data"]["moderationStatus"]["heldAt"] is not None


async def test_a_moderator_of_the_town_sees_it_others_get_null(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "author", name="Anna Autorin")
    idea_id = await _submit(graphql, author.headers, "Mehr Bänke am Wall")
    await _run_worker(settings, runtime)

    seen = {}
    for name in ("moderator of Soest", "moderator of Olpe", "citizen"):
        headers, _ = await caller(runtime, oidc_provider, name)
        seen[name] = (await graphql(STATUS, {"id": idea_id}, headers=headers))["data"]["moderationStatus"]
    missing = await graphql(STATUS, {"id": global_id("Idea", author.user_id)}, headers=author.headers)

    assert seen["moderator of Soest"]["lastDecision"] == {
        "outcome": "PUBLISH",
        "automated": True,
        "reasons": [],
        "note": "",
    }
    assert seen["moderator of Soest"]["lifecycle"] == "PUBLISHED"
    assert seen["moderator of Olpe"] is None
    assert seen["citizen"] is None
    assert missing == {"data": {"moderationStatus": None}}


async def test_anonymous_callers_are_refused(graphql: GraphQLClient, runtime: Runtime) -> None:
    body = await graphql(STATUS, {"id": global_id("Idea", uuid.uuid4())})

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
