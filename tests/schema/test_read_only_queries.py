"""A query runs its statements without a transaction (no BEGIN and COMMIT round trips); a mutation keeps one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

FEED = '{ town(slug: "soest") { name ideas(first: 5) { edges { node { title author { displayName } } } } } }'
CHOOSE_SOEST = 'mutation { chooseHomeTown(townSlug: "soest") { __typename } }'


@contextmanager
def in_transaction(runtime: Runtime) -> Iterator[list[bool]]:
    """For every statement run inside the block: whether its connection was in a transaction right after it."""
    seen: list[bool] = []

    def after(connection: Any, *_: Any) -> None:
        seen.append(connection.connection.driver_connection.is_in_transaction())

    event.listen(runtime.engine.sync_engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(runtime.engine.sync_engine, "after_cursor_execute", after)


async def test_an_anonymous_query_runs_without_a_transaction(runtime: Runtime, graphql: GraphQLClient) -> None:
    with in_transaction(runtime) as seen:
        body = await graphql(FEED)

    assert body["data"]["town"]["name"] == "Soest"
    assert seen == [False, False]  # the town, the (empty) page


async def test_a_signed_in_query_runs_without_a_transaction_too(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    """Signing the person in runs outside the request's transaction (on a connection it gives back at once), so
    the query that follows opens no transaction either."""
    clara = await person(runtime, oidc_provider, "clara")
    with in_transaction(runtime) as seen:
        body = await graphql(FEED, headers=clara.headers)

    assert body["data"]["town"]["name"] == "Soest"
    assert seen
    assert not any(seen)


async def test_a_mutation_runs_in_a_transaction(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    with in_transaction(runtime) as seen:
        body = await graphql(CHOOSE_SOEST, headers=clara.headers)

    assert body["data"] == {"chooseHomeTown": {"__typename": "HomeTownChosen"}}, body
    assert seen[0] is False  # signing clara in
    assert seen[1:]
    assert all(seen[1:])
