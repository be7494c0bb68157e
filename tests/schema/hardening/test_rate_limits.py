"""Rate limits on mutations: per person and per client address, in Redis, failing open when Redis is away."""

from __future__ import annotations

import logging
import uuid
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from redis.asyncio import Redis
from redis.asyncio.connection import Connection

from mitmachen.runtime import Runtime
from service.kit.ratelimit import BudgetCounter, Limits, RateLimiter, RateLimitExceeded
from tests.schema.hardening.conftest import AppClient
from tests.support.ideas import count_rows, idea_gid, insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

COMMENT = """
mutation Comment($input: CommentOnIdeaInput!) {
  commentOnIdea(input: $input) { __typename ... on UserError { code message } }
}
"""
SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
LIMITS = {"rate_limit_per_person": 2, "rate_limit_per_address": 3, "rate_limit_window_seconds": 600}
BUDGETS = {"query_budget_enabled": True, "query_budget_per_person": 50_000}


async def _call(http: httpx.AsyncClient, who: Person, query: str, variables: dict[str, Any]) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers=who.headers)


def _codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


async def _published_idea(runtime: Runtime, author: Person) -> str:
    return idea_gid(await insert_idea_directly(runtime, author_id=author.user_id, town="soest", title="Mehr Bänke"))


async def test_a_person_over_the_limit_is_refused_with_retry_information_and_nothing_changes(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea = await _published_idea(runtime, clara)
    comment = {"input": {"ideaId": idea, "body": "Gute Idee!"}}

    async with app_client(**LIMITS) as http:
        allowed = [await _call(http, clara, COMMENT, comment) for _ in range(2)]
        refused = await _call(http, clara, COMMENT, comment)

    assert [response.json()["data"]["commentOnIdea"]["__typename"] for response in allowed] == ["CommentPosted"] * 2
    assert refused.status_code == 200
    assert refused.json()["data"] is None
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < error["extensions"]["retryAfterSeconds"] <= 600
    assert error["path"] == ["commentOnIdea"]
    assert "Zu viele Anfragen" in error["message"]
    assert int(refused.headers["retry-after"]) == error["extensions"]["retryAfterSeconds"]
    assert await count_rows(runtime, "comments") == 2


async def test_limits_are_counted_per_action_and_per_person(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea = await _published_idea(runtime, await person(runtime, oidc_provider, "ana"))

    async with app_client(**{**LIMITS, "rate_limit_per_address": 100}) as http:
        for _ in range(2):
            assert _codes(await _call(http, clara, SUPPORT, {"id": idea})) == []
        clara_again = await _call(http, clara, SUPPORT, {"id": idea})
        clara_comments = await _call(http, clara, COMMENT, {"input": {"ideaId": idea, "body": "Ja!"}})
        omar_supports = await _call(http, omar, SUPPORT, {"id": idea})

    assert _codes(clara_again) == ["RATE_LIMITED"]
    assert clara_comments.json()["data"]["commentOnIdea"]["__typename"] == "CommentPosted"
    assert omar_supports.json()["data"]["supportIdea"]["__typename"] == "IdeaSupported"


async def test_one_client_address_is_limited_across_people(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    people = [await person(runtime, oidc_provider, subject) for subject in ("clara", "omar", "ana", "ben")]
    idea = await _published_idea(runtime, people[0])

    async with app_client(address="203.0.113.7", **LIMITS) as http:
        first_three = [await _call(http, someone, SUPPORT, {"id": idea}) for someone in people[:3]]
        fourth = await _call(http, people[3], SUPPORT, {"id": idea})
    async with app_client(address="203.0.113.8", **LIMITS) as http:
        elsewhere = await _call(http, people[3], SUPPORT, {"id": idea})

    assert [_codes(response) for response in first_three] == [[], [], []]
    assert _codes(fourth) == ["RATE_LIMITED"]
    assert _codes(elsewhere) == []


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    people = [await person(runtime, oidc_provider, subject) for subject in ("clara", "omar", "ana", "ben")]
    idea = await _published_idea(runtime, people[0])

    async def four_calls(http: httpx.AsyncClient) -> list[list[str]]:
        codes = []
        for index, someone in enumerate(people):
            response = await http.post(
                "/graphql",
                json={"query": SUPPORT, "variables": {"id": idea}},
                # The first hop is whatever the client wrote; the proxy appended the address it saw.
                headers={**someone.headers, "X-Forwarded-For": f"203.0.113.99, 198.51.100.{index}"},
            )
            codes.append(_codes(response))
        return codes

    async with app_client(address="10.0.0.2", trusted_proxies=["10.0.0.0/8"], **LIMITS) as http:
        behind_proxy = await four_calls(http)
    await runtime.redis.flushdb()
    async with app_client(address="10.0.0.2", **LIMITS) as http:
        untrusted = await four_calls(http)

    assert behind_proxy == [[], [], [], []]  # four addresses, one call each
    assert untrusted == [[], [], [], ["RATE_LIMITED"]]  # the header is ignored: one address


async def test_rate_limits_can_be_switched_off(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea = await _published_idea(runtime, clara)

    async with app_client(**{**LIMITS, "rate_limit_enabled": False}) as http:
        responses = [await _call(http, clara, SUPPORT, {"id": idea}) for _ in range(5)]

    assert [_codes(response) for response in responses] == [[]] * 5


async def test_an_unreachable_redis_lets_the_citizen_through_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    # A real client to a port nothing listens on: the counter is unavailable.
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RateLimiter(unreachable, Limits(enabled=True, window_seconds=60, per_person=1, per_address=1))
    try:
        with caplog.at_level(logging.WARNING, logger="mitmachen.ratelimit"):
            for _ in range(3):
                await limiter.hit("idea.submit", person_id=uuid.uuid4(), address="203.0.113.7")
    finally:
        await unreachable.aclose()

    assert len([record for record in caplog.records if "Redis unavailable" in record.getMessage()]) == 3


async def test_the_limiter_counts_in_redis(runtime: Runtime) -> None:
    limiter = RateLimiter(runtime.redis, Limits(enabled=True, window_seconds=60, per_person=2, per_address=100))
    someone = uuid.uuid4()

    await limiter.hit("survey.answer", person_id=someone, address=None)
    await limiter.hit("survey.answer", person_id=someone, address=None)
    with pytest.raises(RateLimitExceeded) as refused:
        await limiter.hit("survey.answer", person_id=someone, address=None)

    assert 0 < refused.value.retry_after_seconds <= 60
    assert refused.value.extensions == {"code": "RATE_LIMITED", "retryAfterSeconds": refused.value.retry_after_seconds}
    assert [key async for key in runtime.redis.scan_iter("mitmachen:ratelimit:survey.answer:*")]


DELETE_UNCONFIRMED = "mutation { deleteMyAccount(confirm: false) { __typename } }"
REGISTER = """
mutation R($input: RegisterOrganisationInput!) { registerOrganisation(input: $input) { __typename } }
"""


@pytest.mark.parametrize("action", ["deleteMyAccount", "registerOrganisation"])
async def test_deleting_accounts_and_registering_organisations_are_limited_per_person(
    action: str, app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")

    async with app_client(**LIMITS) as http:
        if action == "deleteMyAccount":
            calls = [await _call(http, clara, DELETE_UNCONFIRMED, {}) for _ in range(3)]
        else:
            soest = (await http.post("/graphql", json={"query": '{ town(slug: "soest") { id } }'})).json()
            town_id = soest["data"]["town"]["id"]
            calls = [
                await _call(http, clara, REGISTER, {"input": {"townId": town_id, "name": f"Verein Nummer {n}"}})
                for n in range(3)
            ]

    assert [_codes(response) for response in calls] == [[], [], ["RATE_LIMITED"]]
    assert calls[2].headers["retry-after"].isdigit()
    if action == "registerOrganisation":
        assert await count_rows(runtime, "organisations") == 2


async def test_a_write_counts_its_limit_and_reads_the_budget_in_one_round_trip_holding_no_connection(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write limit and the query budget are counted in one Redis round trip, before the request's transaction:
    the caller was looked up on a connection that went back to the pool, and the mutation takes one afterwards."""
    clara = await person(runtime, oidc_provider, "clara")
    ideas = [await _published_idea(runtime, await person(runtime, oidc_provider, "ana")) for _ in range(2)]
    pool = runtime.engine.sync_engine.pool
    sent: list[int] = []
    send = Connection.send_packed_command

    async def sending(self: Connection, command: Any, check_health: bool = True) -> None:
        sent.append(pool.checkedout())  # type: ignore[attr-defined]
        await send(self, command, check_health)

    async with app_client(**LIMITS, **BUDGETS) as http:
        first = await _call(http, clara, SUPPORT, {"id": ideas[0]})  # loads the script into Redis
        monkeypatch.setattr(Connection, "send_packed_command", sending)
        second = await _call(http, clara, SUPPORT, {"id": ideas[1]})

    assert [response.json()["data"]["supportIdea"]["__typename"] for response in (first, second)] == [
        "IdeaSupported"
    ] * 2
    assert sent == [0]  # one command sent to Redis, with no database connection checked out
    assert second.json()["extensions"]["budget"] == {"limit": 50_000, "remaining": 50_000, "resetsIn": ANY, "cost": 0}
    counted = [
        key async for key in runtime.redis.scan_iter(f"mitmachen:ratelimit:idea.support:person:{clara.user_id}:*")
    ]
    assert [int(await runtime.redis.get(key) or 0) for key in counted] == [2]
    assert await count_rows(runtime, "idea_supports") == 2


async def test_a_refused_write_reports_the_budget_read_in_its_round_trip(
    app_client: AppClient, runtime: Runtime, oidc_provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    idea = await _published_idea(runtime, clara)
    sent: list[bytes] = []
    send = Connection.send_packed_command

    async def sending(self: Connection, command: Any, check_health: bool = True) -> None:
        sent.append(b"".join(command) if isinstance(command, list) else command)
        await send(self, command, check_health)

    async with app_client(**LIMITS, **BUDGETS) as http:
        allowed = [await _call(http, clara, SUPPORT, {"id": idea}) for _ in range(2)]
        monkeypatch.setattr(Connection, "send_packed_command", sending)
        refused = await _call(http, clara, SUPPORT, {"id": idea})

    assert [_codes(response) for response in [*allowed, refused]] == [[], [], ["RATE_LIMITED"]]
    assert refused.json()["extensions"]["budget"]["remaining"] == 50_000
    assert len(sent) == 1


async def test_an_unreachable_redis_lets_a_write_through_without_a_budget_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    limiter = RateLimiter(unreachable, Limits(enabled=True, window_seconds=60, per_person=1, per_address=1))
    budget = BudgetCounter("mitmachen:budget:person:x:1", cost=0, limit=10, expiry=61)
    try:
        with caplog.at_level(logging.WARNING, logger="mitmachen.ratelimit"):
            replies = [
                await limiter.hit("idea.submit", person_id=uuid.uuid4(), address="203.0.113.7", budget=budget)
                for _ in range(2)
            ]
    finally:
        await unreachable.aclose()

    assert replies == [None, None]
    assert len([record for record in caplog.records if "Redis unavailable" in record.getMessage()]) == 2
