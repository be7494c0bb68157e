"""Supporting ideas: once per person, never one's own, only published ideas; counts stay exact under concurrency."""

from __future__ import annotations

import asyncio

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.ideas.models import Lifecycle
from tests.conftest import GraphQLClient
from tests.support.ideas import (
    codes,
    count_rows,
    many_people,
    publish_directly,
    row_id,
    set_lifecycle_directly,
    submit,
    town_ref,
)
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

SUPPORT_IDEA = """
mutation SupportIdea($id: ID!) {
  supportIdea(ideaId: $id) {
    __typename
    ... on IdeaSupported { idea { id supportCount viewerHasSupported } }
    ... on UserError { code field message }
  }
}
"""
WITHDRAW_SUPPORT = """
mutation WithdrawSupport($id: ID!) {
  withdrawSupport(ideaId: $id) {
    __typename
    ... on SupportWithdrawn { idea { id supportCount viewerHasSupported } }
    ... on UserError { code field message }
  }
}
"""
IDEA_SUPPORT = "query IdeaSupport($id: ID!) { node(id: $id) { ... on Idea { supportCount viewerHasSupported } } }"

CONCURRENT_SUPPORTERS = 200


async def _published_idea(runtime: Runtime, graphql: GraphQLClient, author: Person) -> str:
    idea_id = await submit(graphql, author, await town_ref(graphql, "soest"))
    await publish_directly(runtime, idea_id)
    return idea_id


async def test_supporting_twice_counts_once(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)

    first = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=omar.headers)
    second = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=omar.headers)

    expected = {"__typename": "IdeaSupported", "idea": {"id": idea_id, "supportCount": 1, "viewerHasSupported": True}}
    assert first["data"]["supportIdea"] == expected
    assert second["data"]["supportIdea"] == expected
    assert await count_rows(runtime, "idea_supports", "idea_id = :id", id=row_id(idea_id)) == 1
    as_author = (await graphql(IDEA_SUPPORT, {"id": idea_id}, headers=clara.headers))["data"]["node"]
    anonymous = (await graphql(IDEA_SUPPORT, {"id": idea_id}))["data"]["node"]
    assert as_author == {"supportCount": 1, "viewerHasSupported": False}
    assert anonymous == {"supportCount": 1, "viewerHasSupported": False}


async def test_withdrawing_support_counts_down_once(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    paula = await person(runtime, oidc_provider, "paula")
    idea_id = await _published_idea(runtime, graphql, clara)
    await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=omar.headers)
    await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=paula.headers)

    withdrawn = await graphql(WITHDRAW_SUPPORT, {"id": idea_id}, headers=omar.headers)
    again = await graphql(WITHDRAW_SUPPORT, {"id": idea_id}, headers=omar.headers)
    never_supported = await graphql(WITHDRAW_SUPPORT, {"id": idea_id}, headers=clara.headers)

    for result in (withdrawn, again, never_supported):
        assert result["data"]["withdrawSupport"] == {
            "__typename": "SupportWithdrawn",
            "idea": {"id": idea_id, "supportCount": 1, "viewerHasSupported": False},
        }
    assert await count_rows(runtime, "idea_supports") == 1
    resupported = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=omar.headers)
    assert resupported["data"]["supportIdea"]["idea"]["supportCount"] == 2


async def test_own_idea_cannot_be_supported(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea_id = await _published_idea(runtime, graphql, clara)

    body = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=clara.headers)

    assert body["data"]["supportIdea"] == {
        "__typename": "InvalidInput",
        "code": "OWN_IDEA",
        "field": None,
        "message": "Die eigene Idee kann man nicht unterstützen.",
    }
    assert await count_rows(runtime, "idea_supports") == 0
    assert await count_rows(runtime, "ideas", "support_count = 0") == 1


@pytest.mark.parametrize(
    "lifecycle", [Lifecycle.PENDING, Lifecycle.WITHDRAWN, Lifecycle.HIDDEN, Lifecycle.REJECTED], ids=str
)
async def test_unpublished_idea_of_someone_else_does_not_exist_for_supporters(
    lifecycle: Lifecycle, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await submit(graphql, clara, await town_ref(graphql, "soest"))
    await set_lifecycle_directly(runtime, idea_id, lifecycle)

    supported = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=omar.headers)
    withdrawn = await graphql(WITHDRAW_SUPPORT, {"id": idea_id}, headers=omar.headers)

    not_found = {
        "__typename": "NotFound",
        "code": "UNKNOWN_IDEA",
        "field": "ideaId",
        "message": "Diese Idee gibt es nicht (mehr).",
    }
    assert supported["data"]["supportIdea"] == not_found
    assert withdrawn["data"]["withdrawSupport"] == not_found
    assert await count_rows(runtime, "idea_supports") == 0


@pytest.mark.parametrize("lifecycle", [Lifecycle.PENDING, Lifecycle.HIDDEN, Lifecycle.WITHDRAWN], ids=str)
async def test_unpublished_idea_a_moderator_can_see_is_not_open_for_support(
    lifecycle: Lifecycle, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    moderator = await person(runtime, oidc_provider, "mona", roles_held=((Role.MODERATOR, "soest"),))
    idea_id = await submit(graphql, clara, await town_ref(graphql, "soest"))
    await set_lifecycle_directly(runtime, idea_id, lifecycle)

    body = await graphql(SUPPORT_IDEA, {"id": idea_id}, headers=moderator.headers)

    assert body["data"]["supportIdea"] == {
        "__typename": "InvalidInput",
        "code": "IDEA_NOT_OPEN",
        "field": None,
        "message": "Diese Idee kann gerade nicht unterstützt werden.",
    }
    assert await count_rows(runtime, "idea_supports") == 0


async def test_support_needs_a_login_and_a_well_formed_id(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    soest = await town_ref(graphql, "soest")

    anonymous = await graphql(SUPPORT_IDEA, {"id": idea_id})
    malformed = await graphql(SUPPORT_IDEA, {"id": "kaputt"}, headers=omar.headers)
    wrong_type = await graphql(SUPPORT_IDEA, {"id": soest.id}, headers=omar.headers)

    assert anonymous["data"] is None
    assert codes(anonymous["errors"]) == ["UNAUTHENTICATED"]
    for result in (malformed, wrong_type):
        assert result["data"]["supportIdea"] == {
            "__typename": "InvalidInput",
            "code": "INVALID_INPUT",
            "field": "ideaId",
            "message": "Diese ID ist ungültig.",
        }
    assert await count_rows(runtime, "idea_supports") == 0


async def test_concurrent_supporters_are_each_counted_exactly_once(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea_id = await _published_idea(runtime, graphql, clara)
    supporters = await many_people(
        runtime, oidc_provider, [f"supporter-{number:03d}" for number in range(CONCURRENT_SUPPORTERS)]
    )

    # Every supporter twice, all requests in flight at once through the app (the pool has 10 connections).
    results = await asyncio.gather(
        *(graphql(SUPPORT_IDEA, {"id": idea_id}, headers=supporter.headers) for supporter in supporters * 2)
    )

    assert all("errors" not in result for result in results), next(r for r in results if "errors" in r)
    outcomes = [result["data"]["supportIdea"] for result in results]
    assert {outcome["__typename"] for outcome in outcomes} == {"IdeaSupported"}
    assert all(outcome["idea"]["viewerHasSupported"] for outcome in outcomes)
    assert max(outcome["idea"]["supportCount"] for outcome in outcomes) == CONCURRENT_SUPPORTERS
    assert await count_rows(runtime, "idea_supports") == CONCURRENT_SUPPORTERS
    final = (await graphql(IDEA_SUPPORT, {"id": idea_id}))["data"]["node"]
    assert final == {"supportCount": CONCURRENT_SUPPORTERS, "viewerHasSupported": False}
    assert await count_rows(runtime, "ideas", "support_count = :count", count=CONCURRENT_SUPPORTERS) == 1
