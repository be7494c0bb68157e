"""Documents built to make validation slow are refused quickly, and no document stalls the event loop."""

from __future__ import annotations

import asyncio
import gc
import time
import uuid
from collections.abc import Iterator

import pytest
from graphql import parse

import schema.cost
from schema.cost import MAX_COST, operation_cost
from schema.extensions import _ParsedDocuments
from schema.root import build_schema
from schema.shape import MAX_FRAGMENTS, MAX_REPEATS, shape_errors
from service.config import Environment
from tests.schema.hardening.conftest import AppClient
from tests.schema.hardening.documents import (
    WORST_DOCUMENTS,
    fan_out,
    fan_out_dense,
    fan_out_on_lists,
    overlap_at_the_bounds,
    same_name,
    same_name_through_fragments,
)

GRAPHQL_RESPONSE = "application/graphql-response+json"
REFUSAL_BOUND_SECONDS = 0.05


@pytest.fixture
def quiet_heap() -> Iterator[None]:
    """No garbage collection while the loop's latency is measured: a full collection of the test process's heap
    (far larger than a server's, which freezes what it built at start-up) would stall it for its own reasons."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.usefixtures("quiet_heap")
async def test_fan_out_chains_are_refused_within_50_ms_while_healthz_answers(app_client: AppClient) -> None:
    async with app_client(environment=Environment.PRODUCTION, address="203.0.113.9") as http:
        await http.post("/graphql", json={"query": "{ towns { slug } }"})
        health_latencies: list[float] = []
        done = asyncio.Event()

        async def poll_health() -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await http.get("/healthz")
                health_latencies.append(time.perf_counter() - started)
                assert response.text == "ok"
                await asyncio.sleep(0.002)

        poller = asyncio.create_task(poll_health())
        try:
            for fragments in (16, 18, 20, 24, 30):
                # A new alias each time: the validation cache has not seen the document.
                document = fan_out(fragments, alias=f"a{uuid.uuid4().hex}")
                assert len(document) < 1400
                started = time.perf_counter()
                response = await http.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})
                elapsed = time.perf_counter() - started

                assert response.status_code == 400, fragments
                assert [error["extensions"]["code"] for error in response.json()["errors"]] == ["QUERY_TOO_EXPENSIVE"]
                assert elapsed < REFUSAL_BOUND_SECONDS, (fragments, elapsed)
                assert max(health_latencies, default=0) < REFUSAL_BOUND_SECONDS, (fragments, max(health_latencies))
        finally:
            done.set()
            await poller
    assert health_latencies


@pytest.mark.usefixtures("quiet_heap")
async def test_every_worst_document_is_refused_and_healthz_answers_meanwhile(app_client: AppClient) -> None:
    async with app_client(environment=Environment.PRODUCTION, address="203.0.113.9") as http:
        await http.post("/graphql", json={"query": "{ towns { slug } }"})
        for name, document in WORST_DOCUMENTS.items():
            request = asyncio.create_task(
                http.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})
            )
            await asyncio.sleep(0)
            while not request.done():
                started = time.perf_counter()
                assert (await http.get("/healthz")).text == "ok"
                # Generous: without the worker thread `/healthz` waited for the whole validation (seconds).
                assert time.perf_counter() - started < 0.25, name
                await asyncio.sleep(0.001)
            response = await request
            assert response.status_code == 400, name
            assert "data" not in response.json()
            assert response.json()["errors"], name


@pytest.mark.parametrize(
    ("document", "limit"),
    [
        (fan_out(10), "selections"),  # one doubling more than the largest chain that passes
        (fan_out(16), "selections"),
        (fan_out(MAX_FRAGMENTS - 1), "selections"),
        (fan_out(MAX_FRAGMENTS + 1), "fragments"),
        (fan_out_on_lists(40), "selections"),
        (fan_out_dense(20), "selections"),
        (same_name(MAX_REPEATS + 1, "__typename"), "repeats"),
        (same_name(200), "repeats"),
        (same_name(200, "ideas { edges { node { id } } }"), "repeats"),
        (same_name_through_fragments(MAX_REPEATS + 1), "repeats"),
        ("{ towns { " + "... on Town { slug } " * (MAX_REPEATS + 1) + "} }", "repeats"),
    ],
)
def test_documents_past_a_shape_bound_are_refused_before_validation(document: str, limit: str) -> None:
    [error] = shape_errors(parse(document))

    assert error.extensions is not None
    assert error.extensions["code"] == "QUERY_TOO_EXPENSIVE"
    assert error.extensions["limit"] == limit
    assert error.message.startswith("Die Anfrage")


@pytest.mark.parametrize(
    "document",
    [
        fan_out(9),  # 4 584 selections with every spread expanded, the operation's and each fragment's
        overlap_at_the_bounds(),
        same_name(MAX_REPEATS, "__typename"),
        "{ towns { slug name strategyAreas { name } } } ",
        "{ ideas(first: 5) { edges { node { ...Card } } } } fragment Card on Idea { id title town { slug } }",
    ],
)
def test_documents_within_the_bounds_pass_the_shape_check(document: str) -> None:
    assert shape_errors(parse(document)) == []


def test_the_cost_of_a_fragment_is_computed_once_however_often_it_is_spread(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = schema.cost._Estimate.selection_set

    def counted(self: schema.cost._Estimate, *args: object) -> int:
        nonlocal calls
        calls += 1
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(schema.cost._Estimate, "selection_set", counted)
    graphql_schema = build_schema()._schema
    for fragments in (10, 14, 18, 200):
        calls = 0
        document = parse(fan_out(fragments))
        cost, _ = operation_cost(graphql_schema, document, document.definitions[0], None)  # type: ignore[arg-type]
        # One visit per fragment (and the operation), not one per spread of it: 2**fragments before.
        assert calls <= fragments + 2, (fragments, calls)
        if fragments <= 14:
            assert cost == 2**fragments  # the same estimate as expanding every spread
        else:
            assert MAX_COST < cost < 2**63


def test_the_parse_cache_holds_a_bounded_amount_of_query_text() -> None:
    cache = _ParsedDocuments(entries=1000, characters=10_000)
    small = "{ towns { slug } }"
    for index in range(500):
        text = f"{{ a{index}: towns {{ slug }} }}" + " " * 200
        cache.keep((text, 4000), parse(text))
    cache.keep((small, 4000), parse(small))
    cache.keep(("{ towns { slug } }" + " " * 2000, 4000), parse(small))  # over a tenth of the budget: not kept

    assert cache.held <= 10_000
    assert sum(len(query) for query, _ in cache.documents) == cache.held
    assert cache.get((small, 4000)) is not None
    assert len(cache.documents) < 100
