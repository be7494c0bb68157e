"""The region admin is a role of its own (`REGION_ADMIN`), in the API, the command line and the database;
grants stored before it existed (`admin` without a town) keep working after the migration."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.db.migrate import upgrade_with_engine
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.services import Services

ROLES = "{ me { roles { role town { slug } } } }"
POLICY = """
mutation P($town: ID!) {
  setModerationPolicy(input: {townId: $town, policy: ALWAYS, reportThreshold: 3}) { __typename }
}
"""


async def test_a_region_admin_is_shown_as_region_admin_and_administers_every_town(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    rita = await person(runtime, oidc_provider, "rita", roles_held=((Role.REGION_ADMIN, None),))

    roles = (await graphql(ROLES, headers=rita.headers))["data"]["me"]["roles"]
    olpe = (await graphql('{ town(slug: "olpe") { id } }'))["data"]["town"]["id"]
    policy = await graphql(POLICY, {"town": olpe}, headers=rita.headers)

    assert roles == [{"role": "REGION_ADMIN", "town": None}]
    assert "errors" not in policy, policy
    assert policy["data"]["setModerationPolicy"]["__typename"] != "PermissionDenied"


async def test_the_database_refuses_an_admin_without_a_town(runtime: Runtime, oidc_provider: OidcProvider) -> None:
    rita = await person(runtime, oidc_provider, "rita")
    async with runtime.engine.connect() as connection:
        with pytest.raises(Exception, match="admin_has_a_town"):
            await connection.execute(
                text("INSERT INTO role_grants (id, user_id, role) VALUES (gen_random_uuid(), :id, 'admin')"),
                {"id": rita.user_id},
            )


async def test_the_command_line_grants_region_admin(settings: Settings, runtime: Runtime) -> None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    assert settings.database_url is not None
    environment["MITMACHEN_DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "mitmachen", "grant", "--role", "region_admin"]
    person_args = ["--issuer", "https://idp.example.org", "--subject", "nobody-yet"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI
            [*command, *args], env=environment, capture_output=True, text=True, check=False, timeout=60
        )

    with_town = await asyncio.to_thread(run, "--town", "soest", *person_args)
    region_wide = await asyncio.to_thread(run, *person_args)

    assert with_town.returncode == 2
    assert with_town.stderr.strip() == "mitmachen grant: region_admin is region-wide: leave out --town"
    assert region_wide.returncode == 0, region_wide.stderr
    assert region_wide.stdout.strip() == "granted region_admin region-wide"
    async with runtime.engine.connect() as connection:
        stored = (await connection.execute(text("SELECT role, town_id FROM role_grants"))).all()
    assert [tuple(row) for row in stored] == [("region_admin", None)]


@pytest.fixture
async def database_at_0010(services: Services) -> AsyncIterator[str]:
    name = f"mitmachen_roles_{os.getpid()}"
    server = await asyncpg.connect(services.postgres_server_url)
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
        url = make_url(services.postgres_server_url).set(database=name, drivername="postgresql+asyncpg")
        yield url.render_as_string(hide_password=False)
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


async def test_grants_stored_before_keep_working_after_the_migration(database_at_0010: str) -> None:
    engine = create_async_engine(database_at_0010)
    try:
        await upgrade_with_engine(engine, "0010")
        async with engine.begin() as connection:
            for subject, role in (("rita", "admin"), ("sven", "region_staff")):
                await connection.execute(
                    text(
                        "WITH u AS (INSERT INTO users (id, issuer, subject) "
                        "VALUES (gen_random_uuid(), 'https://i', :s) RETURNING id) "
                        "INSERT INTO role_grants (id, user_id, role) SELECT gen_random_uuid(), id, :r FROM u"
                    ),
                    {"s": subject, "r": role},
                )

        await upgrade_with_engine(engine, "head")

        async with engine.connect() as connection:
            rows = sorted(
                (
                    await connection.execute(
                        text(
                            "SELECT u.subject, g.role, g.town_id IS NULL "
                            "FROM role_grants g JOIN users u ON u.id = g.user_id"
                        )
                    )
                ).all()
            )
        assert rows == [("rita", "region_admin", True), ("sven", "region_staff", True)]
    finally:
        await engine.dispose()
