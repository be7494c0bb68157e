"""setModerationPolicy: the town's admins (and region admins) choose how their town moderates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import (
    ADMINS_OF_SOEST,
    CALLERS,
    caller,
    expected_refusal,
    footprint,
    refusal_code,
    town_global_id,
)
from tests.support.oidc_provider import OidcProvider
from tests.support.people import town_id

SET_POLICY = """
mutation SetPolicy($input: SetModerationPolicyInput!) {
  setModerationPolicy(input: $input) {
    __typename
    ... on ModerationPolicySet { settings { policy reportThreshold isDefault town { slug } } }
    ... on UserError { code field message }
  }
}
"""
SETTINGS = """
query Settings($townId: ID!) { moderationSettings(townId: $townId) { policy reportThreshold isDefault } }
"""

ALLOWED = sorted(ADMINS_OF_SOEST)
REFUSED = [name for name in CALLERS if name not in ADMINS_OF_SOEST]


async def _settings(graphql: GraphQLClient, runtime: Runtime, slug: str = "soest") -> dict[str, object]:
    body = await graphql(SETTINGS, {"townId": await town_global_id(runtime, slug)})
    found: dict[str, object] = body["data"]["moderationSettings"]
    return found


async def test_a_town_without_settings_is_risk_based_with_three_reporters(
    graphql: GraphQLClient, runtime: Runtime
) -> None:
    assert await _settings(graphql, runtime) == {"policy": "RISK_BASED", "reportThreshold": 3, "isDefault": True}


@pytest.mark.parametrize("name", REFUSED)
async def test_a_refused_change_changes_nothing(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, name)
    before = await footprint(runtime)
    variables = {"input": {"townId": await town_global_id(runtime, "soest"), "policy": "ALWAYS", "reportThreshold": 5}}

    body = await graphql(SET_POLICY, variables, headers=headers)

    assert refusal_code(body, "setModerationPolicy") == expected_refusal(name)
    assert await _settings(graphql, runtime) == {"policy": "RISK_BASED", "reportThreshold": 3, "isDefault": True}
    assert await footprint(runtime) == before


@pytest.mark.parametrize("name", ALLOWED)
async def test_an_admin_sets_the_policy_and_it_is_audited(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, caller_id = await caller(runtime, oidc_provider, name)
    variables = {"input": {"townId": await town_global_id(runtime, "soest"), "policy": "ALWAYS", "reportThreshold": 5}}

    body = await graphql(SET_POLICY, variables, headers=headers)

    assert body == {
        "data": {
            "setModerationPolicy": {
                "__typename": "ModerationPolicySet",
                "settings": {"policy": "ALWAYS", "reportThreshold": 5, "isDefault": False, "town": {"slug": "soest"}},
            }
        }
    }
    assert await _settings(graphql, runtime) == {"policy": "ALWAYS", "reportThreshold": 5, "isDefault": False}
    assert await _settings(graphql, runtime, "olpe") == {
        "policy": "RISK_BASED",
        "reportThreshold": 3,
        "isDefault": True,
    }
    async with runtime.unit_of_work() as uow, uow.session() as session:
        [entry] = (await session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("moderation.")))).all()
    assert (entry.action, entry.actor_id, entry.subject_type) == ("moderation.policy_changed", caller_id, "town")
    assert entry.town_id == entry.subject_id == await town_id(runtime, "soest")
    assert entry.before == {"policy": "risk_based", "report_threshold": 3}
    assert entry.after == {"policy": "always", "report_threshold": 5}


async def test_setting_the_same_policy_again_records_nothing_new(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "admin of Soest")
    variables = {"input": {"townId": await town_global_id(runtime, "soest"), "policy": "OFF", "reportThreshold": 2}}

    first = await graphql(SET_POLICY, variables, headers=headers)
    second = await graphql(SET_POLICY, variables, headers=headers)

    assert first == second
    async with runtime.unit_of_work() as uow, uow.session() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("moderation.")))
        ).all()
    assert actions == ["moderation.policy_changed"]


@pytest.mark.parametrize("threshold", [0, 101])
async def test_a_threshold_out_of_range_is_invalid_input(
    threshold: int, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "admin of Soest")
    before = await footprint(runtime)
    variables = {
        "input": {"townId": await town_global_id(runtime, "soest"), "policy": "OFF", "reportThreshold": threshold}
    }

    body = await graphql(SET_POLICY, variables, headers=headers)

    result = body["data"]["setModerationPolicy"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "InvalidInput",
        "REPORT_THRESHOLD_RANGE",
        "reportThreshold",
    )
    assert result["message"].startswith("Die Zahl der Meldungen")
    assert await footprint(runtime) == before
