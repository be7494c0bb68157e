from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Self

import strawberry

from schema.context import Info
from schema.moderation.queries import decode_town
from schema.permissions import Authenticated, Public
from schema.users.types import MeType, UserType
from service.auth import people
from service.auth.models import RoleGrant
from service.auth.viewer import Role
from service.users import service
from service.users.models import User


@strawberry.type(
    name="PersonForAdmins",
    description="A person as a town's admins see them when managing roles: the name and the e-mail address.",
)
class PersonForAdminsType:
    user: UserType
    email: str | None

    @classmethod
    def from_row(cls, row: User) -> Self:
        return cls(user=UserType.from_row(row), email=row.email)


@strawberry.type(name="RoleHolder", description="Who holds one of a town's roles, and since when.")
class RoleHolderType:
    person: PersonForAdminsType
    role: Role
    granted_at: datetime

    @classmethod
    def from_rows(cls, grant: RoleGrant, user: User) -> Self:
        return cls(person=PersonForAdminsType.from_row(user), role=Role(grant.role), granted_at=grant.granted_at)


async def _me(info: Info) -> MeType:
    async with info.context.uow.session() as session:
        user = await service.get_user(session, info.context.viewer)
    return MeType.from_row(user)


@strawberry.type
class UserQueries:
    @strawberry.field(
        description="The logged-in person; null when nobody is logged in.",
        permission_classes=[Public],
        graphql_type=MeType | None,
    )
    def me(self, info: Info) -> MeType | Awaitable[MeType] | None:
        # Nobody logged in: null at once, no coroutine (every page's header asks).
        if not info.context.viewer.is_authenticated:
            return None
        return _me(info)

    @strawberry.field(
        description="Who holds the town's roles, by role and name (the town's admins and region admins).",
        permission_classes=[Authenticated],
    )
    async def town_role_holders(self, info: Info, town_id: strawberry.ID) -> list[RoleHolderType]:
        town = decode_town(town_id)
        async with info.context.uow.session() as session:
            rows = await people.role_holders(session, info.context.viewer, town_id=town)
        return [RoleHolderType.from_rows(grant, user) for grant, user in rows]

    @strawberry.field(
        description="At most five people whose e-mail address is `text` or whose name contains it, to grant them a "
        "role in the town (the town's admins and region admins). `text`: 3 to 320 characters.",
        permission_classes=[Authenticated],
    )
    async def find_people(self, info: Info, town_id: strawberry.ID, text: str) -> list[PersonForAdminsType]:
        town = decode_town(town_id)
        async with info.context.uow.session() as session:
            found = await people.find_people(session, info.context.viewer, town_id=town, text=text)
        return [PersonForAdminsType.from_row(row) for row in found]
