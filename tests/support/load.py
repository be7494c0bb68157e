"""For load and fault tests: a token for a person the service has not seen yet, and rows read back afterwards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.db.migrate import upgrade_with_engine
from service.towns.demo import seed_towns
from tests.support.oidc_provider import OidcProvider


def new_person_token(provider: OidcProvider, subject: str) -> str:
    """A bearer token of the test provider for `subject`; the service creates the person on first sight."""
    claims = provider.access_token_claims_for(subject)
    claims["name"] = subject.title()
    return provider.sign(claims)


async def rows(runtime: Runtime, sql: str, **params: Any) -> list[Any]:
    async with runtime.engine.connect() as connection:
        return list(await connection.execute(text(sql), params))


async def migrate_and_seed(runtime: Runtime) -> None:
    """A database of a test's own (an embedded server): the schema and the demo towns."""
    await upgrade_with_engine(runtime.engine)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await seed_towns(session)
