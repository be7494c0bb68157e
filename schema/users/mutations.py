from __future__ import annotations

import strawberry

from schema.ids import TownId, UserId
from schema.mutation import Call, mutation, service_mutation
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
    user_id: UserId
    role: Role
    town_id: TownId | None = None


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


async def _rows(call: Call, role: RoleInput) -> tuple[UserType, TownType | None]:
    """The person and town the role service just checked; the session's identity map answers without SQL."""
    user = await call.session.get(User, role.user_id)
    town = await call.session.get(Town, role.town_id) if role.town_id else None
    assert user is not None  # noqa: S101 - checked by the role service in this transaction
    return UserType.from_row(user), TownType.from_row(town) if town else None


@strawberry.type
class UserMutations:
    choose_home_town = service_mutation(
        service.choose_home_town, HomeTownChosen, "Choose the town one lives in.", town_slug=str
    )

    @mutation("Give a person a role. Town admins grant roles of their town; region admins any role.")
    async def grant_role(call: Call, input: RoleInput) -> RoleGranted:
        await roles.grant_role(call.session, call.viewer, **vars(input))
        user, town = await _rows(call, input)
        return RoleGranted(user=user, role=input.role, town=town)

    @mutation("Take a role away from a person.")
    async def revoke_role(call: Call, input: RoleInput) -> RoleRevoked:
        was_held = await roles.revoke_role(call.session, call.viewer, **vars(input))
        user, town = await _rows(call, input)
        return RoleRevoked(user=user, role=input.role, town=town, was_held=was_held)
