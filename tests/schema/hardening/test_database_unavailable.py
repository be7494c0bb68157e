"""A database that does not answer gives 503 `SERVICE_UNAVAILABLE` with `Retry-After`, never 200 or 500.

The real PostgreSQL of the suite, reached through a TCP proxy that the test stops (connections refused) or cuts
(connections lost while a statement runs).
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import make_url, text
from strawberry.relay import GlobalID

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from service.config import Settings
from service.db.availability import database_unavailable
from service.privacy.jobs import ExportRef
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.privacy import EXPORT, Citizen, citizen
from tests.support.tcp_proxy import TcpProxy
from workers.jobs.privacy import export as build_export

TOWNS = "{ towns { slug } }"
ME = "{ me { user { displayName } } }"
CHOOSE = 'mutation { chooseHomeTown(townSlug: "soest") { __typename } }'


@dataclass
class Proxied:
    http: httpx.AsyncClient
    proxy: TcpProxy


@pytest.fixture
async def proxied(settings: Settings, runtime: Runtime) -> AsyncIterator[Proxied]:
    assert settings.database_url is not None
    url = make_url(settings.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    own = settings.model_copy(update={"database_url": url.set(port=proxy.port).render_as_string(hide_password=False)})
    own_runtime = Runtime.create(own)
    app = create_app(own, own_runtime)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
        ):
            yield Proxied(http, proxy)
    finally:
        await proxy.stop()
        await own_runtime.close()


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "nicht erreichbar" in error["message"]
    assert "data" not in response.json()


def _assert_logged_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert [record for record in caplog.records if record.exc_info] == []
    assert any("database unavailable" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("case", ["anonymous query", "query by GET", "bearer token", "mutation"])
async def test_a_database_that_refuses_connections_gives_503(
    case: str,
    proxied: Proxied,
    runtime: Runtime,
    oidc_provider: OidcProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await proxied.proxy.stop()

    with caplog.at_level(logging.INFO):
        if case == "query by GET":
            response = await proxied.http.get("/graphql", params={"query": TOWNS})
        else:
            query = {"anonymous query": TOWNS, "bearer token": ME, "mutation": CHOOSE}[case]
            headers = {} if case == "anonymous query" else clara.headers
            response = await proxied.http.post("/graphql", json={"query": query}, headers=headers)

    _assert_unavailable(response)
    _assert_logged_without_traceback(caplog)


@pytest.mark.parametrize("query", [TOWNS, CHOOSE])
async def test_a_connection_lost_mid_request_gives_503_and_changes_nothing(
    query: str,
    proxied: Proxied,
    runtime: Runtime,
    oidc_provider: OidcProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    warm = await proxied.http.post("/graphql", json={"query": TOWNS})
    assert warm.status_code == 200, warm.text

    async with runtime.engine.connect() as blocker:
        # The request's statement waits for this lock while the connection under it goes away.
        await blocker.execute(text("LOCK TABLE towns, users IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level(logging.INFO):
            request = asyncio.create_task(proxied.http.post("/graphql", json={"query": query}, headers=clara.headers))
            await _wait_for_a_lock_wait(runtime)
            proxied.proxy.cut()
            response = await request
        await blocker.rollback()

    _assert_unavailable(response)
    _assert_logged_without_traceback(caplog)
    async with runtime.engine.connect() as connection:
        home = (await connection.execute(text("SELECT home_town_id FROM users"))).scalar_one()
    assert home is None


def _wrapped(error: BaseException) -> BaseException:
    """As SQLAlchemy raises a driver error: its own exception with the driver's as `orig` and as the cause."""
    outer = sa_exc.DBAPIError("SELECT 1", None, error)
    outer.__cause__ = error
    return outer


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("connection is closed"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        ConnectionRefusedError(111, "Connect call failed"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__,
)
def test_connection_failures_of_every_class_count_as_unavailable(error: BaseException) -> None:
    assert database_unavailable(error)
    assert database_unavailable(_wrapped(error))


@pytest.mark.parametrize(
    "error",
    [asyncpg.UniqueViolationError("duplicate key"), asyncpg.SyntaxOrAccessError("syntax"), ValueError("x"), None],
    ids=["unique violation", "syntax error", "ValueError", "None"],
)
def test_other_failures_are_not_unavailability(error: BaseException | None) -> None:
    assert not database_unavailable(error)
    if error is not None:
        assert not database_unavailable(_wrapped(error))


# The plain HTTP routes that read the database: the open data files and the data export download.
EXPORT_LINK = re.compile(r"http://testserver(/me/export/[A-Za-z0-9_-]+)")
OPEN_DATA = ["/open-data/suedwestfalen.csv", "/open-data/soest.json", "/open-data/soest.meta.json"]


async def _export_link(graphql: GraphQLClient, runtime: Runtime, who: Citizen) -> str:
    result = (await graphql(EXPORT, headers=who.headers))["data"]["exportMyData"]
    assert result["__typename"] == "DataExportRequested", result
    assert (
        await build_export({"runtime": runtime}, ExportRef(uuid.UUID(GlobalID.from_id(result["export"]["id"]).node_id)))
        == "built"
    )
    async with runtime.engine.connect() as connection:
        body = (
            await connection.execute(
                text("SELECT body FROM notifications WHERE user_id = :id AND kind = 'privacy.export_ready'"),
                {"id": who.user_id},
            )
        ).scalar_one()
    found = EXPORT_LINK.search(body)
    assert found is not None, body
    return found.group(1)


def _assert_plain_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert "nicht erreichbar" in response.text


async def test_open_data_and_the_export_download_give_503_while_the_database_refuses_connections(
    proxied: Proxied,
    *,
    runtime: Runtime,
    oidc_provider: OidcProvider,
    graphql: GraphQLClient,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara", "Clara Citizen")
    link = await _export_link(graphql, runtime, clara)
    for path in OPEN_DATA:
        assert (await proxied.http.get(path)).status_code == 200, path
    await proxied.proxy.stop()

    with caplog.at_level(logging.INFO):
        for path in OPEN_DATA:
            _assert_plain_unavailable(await proxied.http.get(path))
        download = await proxied.http.get(link, headers=clara.headers)
    _assert_plain_unavailable(download)
    assert download.headers["cache-control"] == "no-store"
    _assert_logged_without_traceback(caplog)
    # The link was not used up: it still works once the database answers.
    assert (await client.get(link, headers=clara.headers)).status_code == 200


@pytest.mark.parametrize("path", ["/open-data/soest.csv", "export"])
async def test_open_data_and_the_export_download_give_503_when_the_connection_is_lost_mid_request(
    path: str,
    proxied: Proxied,
    *,
    runtime: Runtime,
    oidc_provider: OidcProvider,
    graphql: GraphQLClient,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara", "Clara Citizen")
    headers = {}
    if path == "export":
        path = await _export_link(graphql, runtime, clara)
        headers = clara.headers
    assert (await proxied.http.get("/open-data/soest.meta.json")).status_code == 200  # the pool holds a connection

    async with runtime.engine.connect() as blocker:
        await blocker.execute(text("LOCK TABLE towns, users IN ACCESS EXCLUSIVE MODE"))
        with caplog.at_level(logging.INFO):
            request = asyncio.create_task(proxied.http.get(path, headers=headers))
            await _wait_for_a_lock_wait(runtime)
            proxied.proxy.cut()
            response = await request
        await blocker.rollback()

    _assert_plain_unavailable(response)
    _assert_logged_without_traceback(caplog)
    if headers:
        assert (await client.get(path, headers=headers)).status_code == 200


async def _wait_for_a_lock_wait(runtime: Runtime) -> None:
    for _ in range(100):
        async with runtime.engine.connect() as waiting:
            blocked = (
                await waiting.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()"
                    )
                )
            ).scalar_one()
        if blocked:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the request did not reach the database")
