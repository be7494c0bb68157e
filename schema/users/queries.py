from __future__ import annotations

import strawberry

from schema.context import Info
from schema.permissions import Public
from schema.users.types import MeType
from service.users import service


@strawberry.type
class UserQueries:
    @strawberry.field(description="The logged-in person; null when nobody is logged in.", permission_classes=[Public])
    async def me(self, info: Info) -> MeType | None:
        if not info.context.viewer.is_authenticated:
            return None
        async with info.context.uow.session() as session:
            user = await service.get_user(session, info.context.viewer)
        return MeType.from_row(user)
