"""People for tests: a bearer token from the real test provider, and roles granted in the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.auth import roles
from service.auth.tokens import Identity
from service.auth.viewer import Role
from service.towns.models import Town
from service.users.service import viewer_for_identity
from tests.support.oidc_provider import OidcProvider


@dataclass(frozen=True)
class Person:
    user_id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def town_id(runtime: Runtime, slug: str) -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.scalar(select(Town.id).where(Town.slug == slug))
    assert found is not None
    return found


async def person(
    runtime: Runtime,
    provider: OidcProvider,
    subject: str,
    *,
    roles_held: tuple[tuple[Role, str | None], ...] = (),
    name: str | None = None,
) -> Person:
    """A person known to the service (as after a first login) holding `roles_held` ((role, town slug or None))."""
    claims = provider.access_token_claims_for(subject)
    claims["name"] = name or subject.title()
    token = provider.sign(claims)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        viewer = await viewer_for_identity(session, Identity(provider.issuer, subject, claims))
        assert viewer.user_id is not None
        for role, slug in roles_held:
            town = await session.scalar(select(Town.id).where(Town.slug == slug)) if slug else None
            await roles.grant_role(session, None, user_id=viewer.user_id, role=role, town_id=town)
    return Person(user_id=viewer.user_id, token=token)
