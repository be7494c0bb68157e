"""auditLog: a town's decisions, newest first, for its moderators and admins; nothing in the API changes it."""

from __future__ import annotations

import pytest

from mitmachen.runtime import Runtime
from schema.root import build_schema
from service.auth.viewer import Grant, Role, Viewer
from service.db.engine import count_statements
from service.moderation.models import ModerationPolicy
from service.moderation.settings import set_moderation_policy
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
