"""Pooled connections that the database server closed are replaced on checkout."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy import make_url, text

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient

POLL_ROUNDS = 200


async def _pooled_backends(runtime: Runtime, count: int) -> set[int]:
    """Check out `count` connections at once and return them to the pool; their server process ids."""
    connections = [await runtime.engine.connect() for _ in range(count)]
    try:
        return {await connection.scalar(text("SELECT pg_backend_pid()")) for connection in connections}
    finally:
        for connection in connections:
            await connection.close()


async def _terminate(runtime: Runtime, backends: set[int]) -> None:
    url = make_url(runtime.settings.async_database_url()).set(drivername="postgresql")
    admin = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        for backend in backends:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", backend) is True
        for _ in range(POLL_ROUNDS):
            alive = await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", list(backends)
            )
            if alive == 0:
                break
            await asyncio.sleep(0.05)
        assert alive == 0
    finally:
        await admin.close()
    # Let the event loop read the end of each closed connection.
    await asyncio.sleep(0.2)


async def test_requests_after_the_server_closed_every_pooled_connection_succeed(
    runtime: Runtime, graphql: GraphQLClient
) -> None:
    backends = await _pooled_backends(runtime, 4)
    await _terminate(runtime, backends)

    for _ in range(len(backends) + 1):
        body = await graphql("{ towns { slug } }")
        assert "errors" not in body, body
        assert {"slug": "soest"} in body["data"]["towns"]
    assert not await _pooled_backends(runtime, 4) & backends
