"""Query budgets: each query's estimated cost is charged to the person, or to the address of an anonymous caller."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from redis.asyncio import Redis

from mitmachen.runtime import Runtime
from schema.cost import MAX_COST, operation_cost
from schema.root import build_schema
from schema.view import GraphQLView
from service.config import ConfigurationError, load_settings
from service.kit.budget import QueryBudget
from service.kit.ratelimit import Limits
from tests.schema.hardening.conftest import AppClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

TOWNS = "{ towns { slug name } }"
FEED = """
query Feed($first: Int!) { ideas(first: $first) { edges { node { id title supportCount } } } }
"""
MARK_READ = "mutation { markNotificationsRead(all: true) { __typename } }"


def cost_of(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    [operation] = [definition for definition in document.definitions if isinstance(definition, OperationDefinitionNode)]
    cost, _ = operation_cost(build_schema()._schema, document, operation, variables or {})
    return cost


def budgets(**limits: int) -> dict[str, Any]:
    return {
        "query_budget_enabled": True,
        "query_budget_window_seconds": 600,
        "query_budget_per_person": 10_000,
        "query_budget_per_address": 10_000,
        **{f"query_budget_{name}": value for name, value in limits.items()},
    }


async def _post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **kw: Any
) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables or {}}, **kw)


async def test_each_query_is_charged_its_cost_and_the_answer_reports_what_is_left(app_client: AppClient) -> None:
    towns, feed_small, feed_large = cost_of(TOWNS), cost_of(FEED, {"first": 2}), cost_of(FEED, {"first": 50})
    assert len({towns, feed_small, feed_large}) == 3  # the variables size the charge

    async with app_client(address="203.0.113.7", **budgets(per_address=10_000)) as http:
        first = await _post(http, TOWNS)
        second = await _post(http, FEED, {"first": 2})
        third = await _post(http, FEED, {"first": 50})

    reports = [response.json()["extensions"]["budget"] for response in (first, second, third)]
    assert [response.status_code for response in (first, second, third)] == [200, 200, 200]
    assert [report["cost"] for report in reports] == [towns, feed_small, feed_large]
    assert [report["remaining"] for report in reports] == [
        10_000 - towns,
        10_000 - towns - feed_small,
        10_000 - towns - feed_small - feed_large,
    ]
    assert all(report["limit"] == 10_000 and 0 < report["resetsIn"] <= 600 for report in reports)


async def test_a_query_over_the_budget_gets_429_with_retry_after_and_is_not_charged(app_client: AppClient) -> None:
    feed_large = cost_of(FEED, {"first": 50})
    towns = cost_of(TOWNS)
    limit = feed_large + towns  # one large feed and one towns fit, a second large feed does not

    async with app_client(address="203.0.113.7", **budgets(per_address=limit)) as http:
        allowed = await _post(http, FEED, {"first": 50})
        refused = await _post(http, FEED, {"first": 50}, headers={"Accept": "application/json"})
        cheaper = await _post(http, TOWNS)
        nothing_left = await _post(http, TOWNS)

    assert allowed.status_code == 200
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/graphql-response+json")
    body = refused.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["message"].startswith("Das Abfragekontingent ist aufgebraucht")
    assert 0 < error["extensions"]["retryAfterSeconds"] <= 600
    assert int(refused.headers["retry-after"]) == error["extensions"]["retryAfterSeconds"]
    assert body["extensions"]["budget"]["remaining"] == towns
    # The refused query cost nothing: a cheaper one still fits, and then the budget is used up.
    assert cheaper.status_code == 200
    assert cheaper.json()["extensions"]["budget"]["remaining"] == 0
    assert nothing_left.status_code == 429


async def test_a_person_and_an_address_are_counted_apart(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    towns = cost_of(TOWNS)

    async with app_client(address="203.0.113.7", **budgets(per_person=5_000, per_address=7_000)) as http:
        clara_first = await _post(http, TOWNS, headers=clara.headers)
        clara_second = await _post(http, TOWNS, headers=clara.headers)
        omar_first = await _post(http, TOWNS, headers=omar.headers)
        anonymous = await _post(http, TOWNS)
    async with app_client(address="203.0.113.8", **budgets(per_person=5_000, per_address=7_000)) as http:
        clara_elsewhere = await _post(http, TOWNS, headers=clara.headers)

    def left(response: httpx.Response) -> tuple[int, int]:
        report = response.json()["extensions"]["budget"]
        return report["limit"], report["remaining"]

    assert left(clara_first) == (5_000, 5_000 - towns)
    assert left(clara_second) == (5_000, 5_000 - 2 * towns)
    assert left(omar_first) == (5_000, 5_000 - towns)
    assert left(anonymous) == (7_000, 7_000 - towns)  # the people at this address did not use it up
    assert left(clara_elsewhere) == (5_000, 5_000 - 3 * towns)  # a person's budget follows them


async def test_mutations_are_not_charged_but_report_the_budget(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")

    async with app_client(**budgets(per_person=5_000)) as http:
        marked = await _post(http, MARK_READ, headers=clara.headers)

    assert "errors" not in marked.json()
    report = marked.json()["extensions"]["budget"]
    assert (report["limit"], report["remaining"], report["cost"]) == (5_000, 5_000, 0)


async def test_budgets_can_be_switched_off(app_client: AppClient) -> None:
    async with app_client(**{**budgets(per_address=1), "query_budget_enabled": False}) as http:
        responses = [await _post(http, TOWNS) for _ in range(3)]

    assert [response.status_code for response in responses] == [200] * 3
    assert all("budget" not in response.json().get("extensions", {}) for response in responses)


async def test_an_unreachable_redis_lets_queries_through_uncharged_and_is_logged(
    app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A real client to a port nothing listens on: the counter is unavailable.
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        async with app_client(**budgets(per_address=1)) as http:
            view: GraphQLView = http._transport.app.state.graphql  # type: ignore[attr-defined]
            view.query_budget = QueryBudget(
                unreachable, Limits(enabled=True, window_seconds=60, per_person=1, per_address=1)
            )
            with caplog.at_level(logging.WARNING, logger="mitmachen.ratelimit"):
                responses = [await _post(http, TOWNS) for _ in range(2)]
        direct = await QueryBudget(
            unreachable, Limits(enabled=True, window_seconds=60, per_person=1, per_address=1)
        ).charge(10, person_id=uuid.uuid4(), address=None)
    finally:
        await unreachable.aclose()

    assert [response.status_code for response in responses] == [200, 200]
    assert all("errors" not in response.json() for response in responses)
    assert all("budget" not in response.json().get("extensions", {}) for response in responses)
    assert direct is None
    assert len([record for record in caplog.records if "query budget not charged" in record.getMessage()]) >= 2


def test_a_budget_smaller_than_the_costliest_allowed_query_stops_start_up() -> None:
    settings = load_settings(query_budget_per_person="20000", query_budget_per_address="750000")
    assert (settings.query_budget_per_person, settings.query_budget_per_address) == (20_000, 750_000)
    for variable in ("query_budget_per_person", "query_budget_per_address"):
        with pytest.raises(ConfigurationError, match=f"MITMACHEN_{variable.upper()}"):
            load_settings(**{variable: str(MAX_COST - 1)})
