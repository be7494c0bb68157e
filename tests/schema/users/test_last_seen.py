"""`last_seen_at` follows a person's use of the API (token or browser session), at most one write per interval."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.sessions import start_session, viewer_for_session
from service.users.service import LAST_SEEN_INTERVAL
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

ME = "query { me { user { displayName } } }"


async def _set_last_seen(runtime: Runtime, user_id: uuid.UUID, ago: timedelta | None) -> None:
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE users SET last_seen_at = now() - CAST(:ago AS interval) WHERE id = :id"),
            {"ago": ago, "id": user_id},
        )


async def _last_seen(runtime: Runtime, user_id: uuid.UUID) -> tuple[datetime | None, str]:
    """The recorded time and the row version (`xmin` changes with every write of the row)."""
    async with runtime.engine.connect() as connection:
        row = (
            await connection.execute(text("SELECT last_seen_at, xmin::text FROM users WHERE id = :id"), {"id": user_id})
        ).one()
    return row[0], row[1]


async def _now(runtime: Runtime) -> datetime:
    async with runtime.engine.connect() as connection:
        found: datetime = (await connection.execute(text("SELECT now()"))).scalar_one()
    return found


@pytest.mark.parametrize("ago", [None, LAST_SEEN_INTERVAL + timedelta(minutes=1), timedelta(days=3)])
async def test_a_request_with_a_token_records_a_stale_or_missing_last_seen(
    ago: timedelta | None, client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await _set_last_seen(runtime, clara.user_id, ago)

    response = await client.post("/graphql", json={"query": ME}, headers=clara.headers)

    assert response.json()["data"]["me"] is not None
    seen, _ = await _last_seen(runtime, clara.user_id)
    assert seen is not None
    assert abs(await _now(runtime) - seen) < timedelta(seconds=30)


async def test_requests_within_the_interval_write_nothing(
    client: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await _set_last_seen(runtime, clara.user_id, timedelta(minutes=1))
    before = await _last_seen(runtime, clara.user_id)

    for _ in range(5):
        response = await client.post("/graphql", json={"query": ME}, headers=clara.headers)
        assert response.json()["data"]["me"] is not None

    assert await _last_seen(runtime, clara.user_id) == before  # same time, same row version: no write


@pytest.mark.parametrize("ago", [None, LAST_SEEN_INTERVAL + timedelta(minutes=1)])
async def test_a_browser_session_records_last_seen_too(
    ago: timedelta | None, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        session_id = await start_session(session, user_id=clara.user_id, lifetime=timedelta(hours=1))
    await _set_last_seen(runtime, clara.user_id, ago)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        viewer = await viewer_for_session(session, session_id=session_id)

    assert viewer is not None
    assert viewer.user_id == clara.user_id
    seen, _ = await _last_seen(runtime, clara.user_id)
    assert seen is not None
    assert abs(await _now(runtime) - seen) < timedelta(seconds=30)
