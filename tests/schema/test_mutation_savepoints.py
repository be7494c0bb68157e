"""The only mutation of a document runs in the request's transaction; several each run in a savepoint of their own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from mitmachen.runtime import Runtime
from service.towns.models import Town
from service.users.models import User
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

CHOOSE = 'mutation { chooseHomeTown(townSlug: "%s") { __typename } }'
BOTH = (
    'mutation { a: chooseHomeTown(townSlug: "soest") { __typename } b: chooseHomeTown(townSlug: "%s") { __typename } }'
)


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The first word of every statement run inside the block (SAVEPOINT, SELECT, UPDATE, …)."""
    seen: list[str] = []

    def before(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", before)


async def _home_town(runtime: Runtime, clara: Person) -> str | None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(
            select(Town.slug).join(User, User.home_town_id == Town.id).where(User.id == clara.user_id)
        )


async def test_the_only_mutation_of_a_document_runs_without_a_savepoint(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    with statements(runtime) as seen:
        body = await graphql(CHOOSE % "soest", headers=clara.headers)

    assert body["data"]["chooseHomeTown"]["__typename"] == "HomeTownChosen"
    assert "UPDATE" in seen
    assert "SAVEPOINT" not in seen
    assert await _home_town(runtime, clara) == "soest"


async def test_the_only_mutation_refused_changes_nothing(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await graphql(CHOOSE % "soest", headers=clara.headers)

    with statements(runtime) as seen:
        body = await graphql(CHOOSE % "atlantis", headers=clara.headers)

    assert body["data"]["chooseHomeTown"]["__typename"] != "HomeTownChosen"
    assert "SAVEPOINT" not in seen
    assert await _home_town(runtime, clara) == "soest"


async def test_two_mutations_each_in_a_savepoint_the_refused_one_alone_is_undone(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    with statements(runtime) as seen:
        body = await graphql(BOTH % "atlantis", headers=clara.headers)

    assert body["data"]["a"]["__typename"] == "HomeTownChosen"
    assert body["data"]["b"]["__typename"] != "HomeTownChosen"
    assert seen.count("SAVEPOINT") == 2
    assert await _home_town(runtime, clara) == "soest"
