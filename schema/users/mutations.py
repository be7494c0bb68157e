from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.permissions import Authenticated
from schema.towns.types import TownType
from schema.users.types import MeType, UserType
from service.auth import roles
from service.auth.viewer import Role
from service.towns.models import Town
from service.users import service
from service.users.models import User


@strawberry.type(description="The person's home town is set.")
class HomeTownChosen:
    me: MeType


@strawberry.input(
    description="A role for a person, in a town or (without town) region-wide. ORGANISATION_MANAGER is refused "
    "(ROLE_NEEDS_ORGANISATION): an organisation's managers add each other with addOrganisationManager."
)
class RoleInput:
    user_id: strawberry.ID
    role: Role
    town_id: strawberry.ID | None = None


@strawberry.type(description="The person holds the role (granting it again changes nothing).")
class RoleGranted:
    user: UserType
    role: Role
    town: TownType | None


@strawberry.type(description="The person no longer holds the role.")
class RoleRevoked:
    user: UserType
    role: Role
    town: TownType | None
    was_held: bool = strawberry.field(description="False when the person did not hold the role to begin with.")


ChooseHomeTownResult = Annotated[
    HomeTownChosen | InvalidInput | NotFoundError, strawberry.union("ChooseHomeTownResult")
]
GrantRoleResult = Annotated[RoleGranted | InvalidInput | NotFoundError, strawberry.union("GrantRoleResult")]
RevokeRoleResult = Annotated[RoleRevoked | InvalidInput | NotFoundError, strawberry.union("RevokeRoleResult")]


def _target(role_input: RoleInput) -> tuple[uuid.UUID, uuid.UUID | None]:
    user_id = decode_id(role_input.user_id, "User", field="userId")
    town_id = decode_id(role_input.town_id, "Town", field="townId") if role_input.town_id else None
    return user_id, town_id


async def _rows(
    session: AsyncSession, user_id: uuid.UUID, town_id: uuid.UUID | None
) -> tuple[UserType, TownType | None]:
    """The person and town the role service just checked; the session's identity map answers without SQL."""
    user = await session.get(User, user_id)
    town = await session.get(Town, town_id) if town_id else None
    assert user is not None  # noqa: S101 - checked by the role service in this transaction
    return UserType.from_row(user), TownType.from_row(town) if town else None


@strawberry.type
class UserMutations:
    @strawberry.mutation(description="Choose the town one lives in.", permission_classes=[Authenticated])
    async def choose_home_town(self, info: Info, town_slug: str) -> ChooseHomeTownResult:
        async def action(session: AsyncSession) -> HomeTownChosen:
            user = await service.choose_home_town(session, info.context.viewer, town_slug=town_slug)
            return HomeTownChosen(me=MeType.from_row(user))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Give a person a role. Town admins grant roles of their town; region admins any role.",
        permission_classes=[Authenticated],
    )
    async def grant_role(self, info: Info, input: RoleInput) -> GrantRoleResult:
        async def action(session: AsyncSession) -> RoleGranted:
            user_id, town_id = _target(input)
            await roles.grant_role(session, info.context.viewer, user_id=user_id, role=input.role, town_id=town_id)
            user, town = await _rows(session, user_id, town_id)
            return RoleGranted(user=user, role=input.role, town=town)

        return await run_mutation(info, action)

    @strawberry.mutation(description="Take a role away from a person.", permission_classes=[Authenticated])
    async def revoke_role(self, info: Info, input: RoleInput) -> RevokeRoleResult:
        async def action(session: AsyncSession) -> RoleRevoked:
            user_id, town_id = _target(input)
            was_held = await roles.revoke_role(
                session, info.context.viewer, user_id=user_id, role=input.role, town_id=town_id
            )
            user, town = await _rows(session, user_id, town_id)
            return RoleRevoked(user=user, role=input.role, town=town, was_held=was_held)

        return await run_mutation(info, action)
