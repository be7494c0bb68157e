"""Suite-wide fixtures: one migrated database per run, emptied after every test; the app as production builds it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import make_url, text

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from service.config import Environment, Settings
from service.db.migrate import upgrade_with_engine
from service.towns.demo import seed_towns
from tests.support.oidc_provider import OidcProvider
from tests.support.services import Services, test_services

TEST_DATABASE = f"mitmachen_test_{os.getpid()}"


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    with test_services() as found:
        yield found


@pytest.fixture(scope="session")
async def test_database(services: Services) -> AsyncIterator[str]:
    server = await asyncpg.connect(services.postgres_server_url)
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
        url = make_url(services.postgres_server_url).set(database=TEST_DATABASE)
        yield url.render_as_string(hide_password=False)
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
        await server.close()


# Resource indicators (RFC 8707) are absolute URIs.
TEST_AUDIENCE = "https://api.mitmachen.test"
TEST_ACCOUNTS: dict[str, dict[str, Any]] = {
    "clara": {"name": "Clara Citizen", "email": "clara@example.org", "email_verified": True},
    "omar": {"name": "Omar Olpe", "email": "omar@example.org", "email_verified": True},
}


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """A real OpenID provider (node `oidc-provider`) for the whole run."""
    provider = OidcProvider(
        accounts=TEST_ACCOUNTS,
        audience=TEST_AUDIENCE,
        redirect_uris=["http://testserver/auth/callback"],
        post_logout_redirect_uris=["http://testserver/"],
        access_token_claims=("roles", "name", "email"),
    )
    with provider:
        yield provider


@pytest.fixture(scope="session")
def settings(test_database: str, services: Services, oidc_provider: OidcProvider) -> Settings:
    return Settings(
        environment=Environment.TEST,
        database_url=test_database,
        redis_url=services.redis_url,
        session_secret="test-session-secret-0123456789abcdef",
        oidc_issuer=[oidc_provider.issuer],
        oidc_audience=TEST_AUDIENCE,
        oidc_client_id=oidc_provider.client_id,
        oidc_client_secret=oidc_provider.client_secret,
        public_url="http://testserver",
        # Every request of the suite comes from one address, and the concurrency tests send hundreds of calls of
        # one person (the database, not the rate limit, must refuse them there); tests of the limits set their own.
        rate_limit_per_address=100_000,
        rate_limit_per_person=100_000,
        # For the same reason no query budget (whose report would also join every answer the tests compare whole)
        # and no per-address share of the slots (the race tests need their calls in flight at once); the tests of
        # budgets and fair admission switch them on.
        query_budget_enabled=False,
        fair_admission=False,
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    shared = Runtime.create(settings)
    await upgrade_with_engine(shared.engine)
    try:
        yield shared
    finally:
        await shared.close()


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test that touches the database starts from the demo towns and an empty queue."""
    if "runtime" not in request.fixturenames:
        yield
        return
    runtime: Runtime = request.getfixturevalue("runtime")
    async with runtime.engine.begin() as connection:
        tables = [
            row[0]
            for row in await connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
        ]
        await connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    await runtime.redis.flushdb()
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await seed_towns(session)
    yield


@pytest.fixture
async def client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def graphql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)
