"""Roles from the identity provider's roles claim hold for the request; an organisation manager's role cannot come
from there, since a claim names no organisation."""

from __future__ import annotations

from mitmachen.runtime import Runtime
from service.auth.tokens import Identity
from service.auth.viewer import Grant, Role
from service.users.service import viewer_for_identity
from tests.support.people import town_id


async def test_a_claimed_manager_role_is_left_out_and_the_other_roles_hold(runtime: Runtime) -> None:
    claims = {"roles": ["moderator:soest", "organisation_manager:soest", "organisation_manager", "region_staff"]}

    async with runtime.unit_of_work() as uow, uow.session() as session:
        viewer = await viewer_for_identity(
            session, Identity("https://idp.example", "claimant", claims), roles_claim="roles"
        )

    assert viewer.grants == frozenset(
        {Grant(Role.MODERATOR, await town_id(runtime, "soest")), Grant(Role.REGION_STAFF, None)}
    )
