"""A database that does not answer gives 503 `SERVICE_UNAVAILABLE` with `Retry-After`, never 200 or 500.

The real PostgreSQL of the suite, reached through a TCP proxy that the test stops (connections refused) or cuts
(connections lost while a statement runs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import make_url, text

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from service.config import Settings
from service.db.availability import database_unavailable
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.tcp_proxy import TcpProxy

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
            for _ in range(100):
                waiting = await runtime.engine.connect()
                try:
                    blocked = (
                        await waiting.execute(
                            text(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND datname = current_database()"
                            )
                        )
                    ).scalar_one()
                finally:
                    await waiting.close()
                if blocked:
                    break
                await asyncio.sleep(0.05)
            assert blocked, "the request did not reach the database"
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
