"""auditLog: a town's decisions, newest first, for its moderators and admins; nothing in the API changes it."""

from __future__ import annotations

import pytest

from mitmachen.runtime import Runtime
from schema.root import build_schema
from service.auth.viewer import Grant, Role, Viewer
from service.db.engine import count_statements
from service.moderation.models import ModerationPolicy
from service.moderation.settings import set_moderation_policy
from service.moderation.terms import add_term
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import (
    CALLERS,
    MODERATORS_OF_SOEST,
    caller,
    expected_refusal,
    global_id,
    refusal_code,
    town_global_id,
)
from tests.service.moderation import factories
from tests.service.moderation.support import check
from tests.support.oidc_provider import OidcProvider

AUDIT_LOG = """
query Audit($townId: ID!, $first: Int! = 50, $after: String) {
  auditLog(townId: $townId, first: $first, after: $after) {
    edges { cursor node { action subjectType subjectId reason before after actor { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ALLOWED = sorted(MODERATORS_OF_SOEST)
REFUSED = [name for name in CALLERS if name not in MODERATORS_OF_SOEST]


async def _decisions_in_soest_and_olpe(runtime: Runtime) -> list[str]:
    author = await factories.user(runtime)
    ideas = [
        await factories.idea_row(runtime, author, title="Mehr Bänke am Wall", body="Zum Ausruhen."),
        await factories.idea_row(runtime, author, title="Der Planer ist ein Vollidiot", body="Ja."),
    ]
    for idea_id in ideas:
        await check(runtime, idea_id)
    await check(runtime, await factories.idea_row(runtime, author, slug="olpe", title="Eine Idee in Olpe"))
    return [global_id("Idea", idea_id) for idea_id in ideas]


@pytest.mark.parametrize("name", REFUSED)
async def test_others_are_refused(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _decisions_in_soest_and_olpe(runtime)
    headers, _ = await caller(runtime, oidc_provider, name)

    body = await graphql(AUDIT_LOG, {"townId": await town_global_id(runtime, "soest")}, headers=headers)

    assert refusal_code(body, "auditLog") == expected_refusal(name)


@pytest.mark.parametrize("name", ALLOWED)
async def test_moderators_and_admins_read_the_towns_entries_newest_first(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    published, held = await _decisions_in_soest_and_olpe(runtime)
    headers, _ = await caller(runtime, oidc_provider, name)

    body = await graphql(AUDIT_LOG, {"townId": await town_global_id(runtime, "soest")}, headers=headers)

    nodes = [edge["node"] for edge in body["data"]["auditLog"]["edges"]]
    moderation = [node for node in nodes if node["action"].startswith("moderation.")]
    assert moderation == [
        {
            "action": "moderation.held",
            "subjectType": "idea",
            "subjectId": held,
            "reason": "abusive_language",
            "before": {"lifecycle": "pending", "reasons": []},
            "after": {"lifecycle": "pending", "reasons": ["abusive_language"]},
            "actor": None,
        },
        {
            "action": "moderation.published",
            "subjectType": "idea",
            "subjectId": published,
            "reason": "",
            "before": {"lifecycle": "pending", "reasons": []},
            "after": {"lifecycle": "published", "reasons": []},
            "actor": None,
        },
    ]


async def test_the_log_pages_and_costs_the_same_statements_for_any_page_size(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _decisions_in_soest_and_olpe(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    soest = await factories.town(runtime, "soest")
    for policy in (ModerationPolicy.ALWAYS, ModerationPolicy.OFF):  # two entries by two different people
        admin = Viewer(user_id=await factories.user(runtime, "Ada Admin"), grants=frozenset({Grant(Role.ADMIN, soest)}))
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await set_moderation_policy(session, admin, town_id=soest, policy=policy)
    town = await town_global_id(runtime, "soest")

    with count_statements() as counter:
        first = (await graphql(AUDIT_LOG, {"townId": town, "first": 1}, headers=headers))["data"]["auditLog"]
    with count_statements() as counter_all:
        everything = (await graphql(AUDIT_LOG, {"townId": town}, headers=headers))["data"]["auditLog"]
    rest = await graphql(AUDIT_LOG, {"townId": town, "after": first["pageInfo"]["endCursor"]}, headers=headers)

    assert first["pageInfo"]["hasNextPage"] is True
    assert first["edges"][0]["node"]["actor"] == {"displayName": "Ada Admin"}
    assert first["edges"] + rest["data"]["auditLog"]["edges"] == everything["edges"]
    # viewer lookup, entries, actors (one batch)
    assert counter.count == counter_all.count == 3


def test_the_api_has_no_way_to_change_or_delete_audit_entries() -> None:
    mutation = build_schema()._schema.mutation_type
    assert mutation is not None

    assert [name for name in mutation.fields if "audit" in name.lower()] == []


FILTERED = """
query Audit($townId: ID!, $action: String, $actorId: ID, $since: DateTime, $until: DateTime) {
  auditLog(townId: $townId, action: $action, actorId: $actorId, since: $since, until: $until) {
    edges { node { action createdAt actor { displayName } after } }
  }
}
"""


async def test_the_log_is_filtered_by_who_what_and_when(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    soest = await factories.town(runtime, "soest")
    ada = Viewer(user_id=await factories.user(runtime, "Ada Admin"), grants=frozenset({Grant(Role.ADMIN, soest)}))
    bea = Viewer(user_id=await factories.user(runtime, "Bea Admin"), grants=frozenset({Grant(Role.ADMIN, soest)}))
    for viewer, policy in (
        (ada, ModerationPolicy.ALWAYS),
        (bea, ModerationPolicy.OFF),
        (ada, ModerationPolicy.FIRST_POST),
    ):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await set_moderation_policy(session, viewer, town_id=soest, policy=policy)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await add_term(session, ada, town_id=soest, term="schwurbelkopf")
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    assert ada.user_id is not None
    town, ada_id = await town_global_id(runtime, "soest"), global_id("User", ada.user_id)

    async def actions(**only: str) -> list[str]:
        body = await graphql(FILTERED, {"townId": town, "actorId": ada_id, **only}, headers=headers)
        assert all(edge["node"]["actor"] == {"displayName": "Ada Admin"} for edge in body["data"]["auditLog"]["edges"])
        return [edge["node"]["action"] for edge in body["data"]["auditLog"]["edges"]]

    everything = (await graphql(FILTERED, {"townId": town, "actorId": ada_id}, headers=headers))["data"]["auditLog"]
    second = everything["edges"][1]["node"]["createdAt"]  # Ada's second policy change

    assert await actions() == ["moderation.term_added", "moderation.policy_changed", "moderation.policy_changed"]
    assert await actions(action="moderation.policy_changed") == ["moderation.policy_changed"] * 2
    assert await actions(action="moderation.") == await actions()
    assert await actions(action="moderation.term") == []
    assert await actions(action="%.") == []
    assert await actions(since=second) == ["moderation.term_added", "moderation.policy_changed"]
    assert await actions(until=second) == ["moderation.policy_changed"]
    assert await actions(since=second, until=everything["edges"][0]["node"]["createdAt"]) == [
        "moderation.policy_changed"
    ]


async def test_a_time_span_that_ends_before_it_begins_is_refused(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    variables = {
        "townId": await town_global_id(runtime, "soest"),
        "since": "2026-05-02T00:00:00+00:00",
        "until": "2026-05-01T00:00:00+00:00",
    }

    body = await graphql(FILTERED, variables, headers=headers)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == "Der Anfang des Zeitraums muss vor seinem Ende liegen."
