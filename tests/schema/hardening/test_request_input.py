"""Malformed requests get a clear 400 or BAD_USER_INPUT: bodies that are no object, variables nested too deep, and
cursors of every paged list carrying values out of range or of the wrong type."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any

import httpx
import pytest

from mitmachen.runtime import Runtime
from schema.view import MAX_JSON_DEPTH
from tests.schema.moderation.callers import caller, town_global_id
from tests.support.oidc_provider import OidcProvider

TOWNS = "{ towns { slug } }"


@pytest.mark.parametrize("body", ['"x"', "1", "1.5", "true", "null", '"{}"'])
async def test_a_body_that_is_a_single_value_gets_a_clear_400(client: httpx.AsyncClient, body: str) -> None:
    response = await client.post("/graphql", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "JSON-Objekt" in error["message"]


async def test_an_empty_list_is_refused_as_a_batch(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content="[]", headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"


def _nested(levels: int, *, in_list: bool = False) -> object:
    value: object = 1
    for _ in range(levels):
        value = [value] if in_list else {"a": value}
    return value


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH, 100, 300, 900])
@pytest.mark.parametrize("in_list", [False, True])
async def test_variables_nested_too_deep_are_refused_before_anything_reads_them(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, levels: int, in_list: bool
) -> None:
    variables = {"deep": _nested(levels, in_list=in_list)}
    posted = await client.post("/graphql", json={"query": TOWNS, "variables": variables})
    fetched = await client.get("/graphql", params={"query": TOWNS, "variables": json.dumps(variables)})

    for response in (posted, fetched):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "verschachtelt" in error["message"]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_variables_nested_within_the_bound_are_read(client: httpx.AsyncClient) -> None:
    # The body is one level, `variables` another: the deepest value is at MAX_JSON_DEPTH.
    variables = {"deep": _nested(MAX_JSON_DEPTH - 3)}
    response = await client.post("/graphql", json={"query": TOWNS, "variables": variables})

    assert response.status_code == 200
    assert len(response.json()["data"]["towns"]) == 20


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


A_UUID = str(uuid.uuid4())
BAD_TIMES: list[object] = [
    "0001-01-01T00:00:00+01:00",  # before the year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after the year 9999 in UTC
    "2024-13-01T00:00:00+00:00",
    "2024-01-01T00:00:00+00:00\u0000",
    "9" * 5000,
    20240101,
    None,
    [],
    {},
]
BAD_IDS: list[object] = ["not-a-uuid", "", 5, None, ["x"], A_UUID + "\u0000"]
BAD_COUNTS: list[object] = [str(2**31), str(2**70), "-1", "1e300", "1.5", "", " 12", "\u0661\u0662", 12, True, None, []]
GARBAGE = ["", "!!!", "e30=", _cursor("x"), _cursor([]), _cursor({}), _cursor(None), "a" * 10_000, "\u00e4"]


def _time_and_id_cursors(prefix: list[object]) -> list[str]:
    cursors = [_cursor([*prefix, time, A_UUID]) for time in BAD_TIMES]
    cursors += [_cursor([*prefix, "2024-01-01T00:00:00+00:00", bad]) for bad in BAD_IDS]
    cursors += [_cursor([*prefix, "2024-01-01T00:00:00+00:00"]), _cursor([*prefix, "x", A_UUID, "extra"])]
    return cursors + GARBAGE


FEED = (
    "query Feed($after: String, $order: IdeaOrder!) "
    "{ ideas(first: 2, after: $after, orderBy: $order) { edges { cursor } } }"
)
OFFERS = "query Offers($after: String) { offers(first: 2, after: $after) { edges { cursor } } }"
SURVEYS = 'query S($after: String) { town(slug: "soest") { surveys(first: 2, after: $after) { edges { cursor } } } }'
QUEUE = "query Q($t: ID!, $after: String) { moderationQueue(townId: $t, first: 2, after: $after) { edges { cursor } } }"
AUDIT = "query A($t: ID!, $after: String) { auditLog(townId: $t, first: 2, after: $after) { edges { cursor } } }"


def _feed_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = [
        (FEED, {"after": cursor, "order": order})
        for order in ("NEWEST", "RECENTLY_ANSWERED")
        for cursor in _time_and_id_cursors([order.lower()])
    ]
    cases += [
        (FEED, {"after": _cursor(["most_supported", count, A_UUID]), "order": "MOST_SUPPORTED"}) for count in BAD_COUNTS
    ]
    cases += [(FEED, {"after": cursor, "order": "MOST_SUPPORTED"}) for cursor in GARBAGE]
    return cases


def _refused_clearly(body: dict[str, Any]) -> bool:
    errors = body.get("errors") or []
    return len(errors) == 1 and errors[0].get("extensions", {}).get("code") == "BAD_USER_INPUT"


async def _check(http: httpx.AsyncClient, cases: list[tuple[str, dict[str, Any]]], headers: dict[str, str]) -> None:
    failures = []
    for query, variables in cases:
        response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        if not _refused_clearly(response.json()):
            failures.append((variables, response.text[:200]))
    assert not failures, failures[:5]


async def test_public_cursors_with_out_of_range_or_mistyped_values_are_bad_user_input(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    cases = _feed_cases()
    cases += [(OFFERS, {"after": cursor}) for cursor in _time_and_id_cursors(["offer"])]
    cases += [(SURVEYS, {"after": cursor}) for cursor in _time_and_id_cursors(["survey"])]

    await _check(client, cases, {})
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_moderation_cursors_with_out_of_range_or_mistyped_values_are_bad_user_input(
    client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    town = await town_global_id(runtime, "soest")
    cases = [(AUDIT, {"t": town, "after": cursor}) for cursor in _time_and_id_cursors(["audit"])]
    cases.append((AUDIT, {"t": town, "after": _cursor(["audit", "2024-01-01T00:00:00", A_UUID])}))  # no offset
    queue = [_cursor(["queue", time, "idea", A_UUID]) for time in [*BAD_TIMES, "2024-01-01T00:00:00"]]
    queue += [_cursor(["queue", "2024-01-01T00:00:00+00:00", kind, A_UUID]) for kind in ("x" * 500, "a\u0000", 3)]
    queue += [_cursor(["queue", "2024-01-01T00:00:00+00:00", "idea", bad]) for bad in BAD_IDS]
    cases += [(QUEUE, {"t": town, "after": cursor}) for cursor in [*queue, *GARBAGE]]

    await _check(client, cases, headers)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
