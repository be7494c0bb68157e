"""A request's objects are freed when it ends, by reference counting alone: no cycle waits for the collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from schema.context import Context
from schema.loaders import Loaders
from service.kit.unit_of_work import UnitOfWork
from tests.conftest import GraphQLClient

FEED = """
{ town(slug: "soest") { ideas(first: 5) { edges { node { id title author { displayName } strategyArea { name } } } } } }
"""


@contextmanager
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


KINDS = (Context, Loaders, UnitOfWork)


def _alive() -> dict[str, int]:
    counts = dict.fromkeys((kind.__name__ for kind in KINDS), 0)
    for item in gc.get_objects():
        for kind in KINDS:
            if isinstance(item, kind):
                counts[kind.__name__] += 1
    return counts


async def test_the_context_loaders_and_unit_of_work_of_a_request_do_not_outlive_it(graphql: GraphQLClient) -> None:
    with collector_off():
        before = _alive()  # the test's own fixtures may hold a unit of work
        body = await graphql(FEED)
        assert "errors" not in body, body
        after = _alive()

    assert after == before


async def test_a_refused_document_leaves_nothing_behind_either(graphql: GraphQLClient) -> None:
    with collector_off():
        before = _alive()
        body = await graphql("{ towns { population } }")
        assert body["errors"]
        after = _alive()

    assert after == before
