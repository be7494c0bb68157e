from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import uuids
from schema.towns.types import TownType
from service.auth.models import RoleGrant
from service.auth.viewer import Role
from service.ideas import mine
from service.ideas.feed import FeedAuthor
from service.kit.errors import PermissionDenied
from service.users.models import User
from service.volunteering.managers import managed_organisations

if TYPE_CHECKING:
    from schema.ideas.types import CommentConnection, IdeaConnection
    from schema.volunteering.types import OrganisationType

if TYPE_CHECKING:
    from schema.notifications.types import NotificationConnection

strawberry.enum(Role, name="Role", description="Roles are held per town; region roles have no town.")

DELETED_USER = "Gelöschtes Konto"


@strawberry.type(name="User", description="A person as others see them: a display name, nothing more.")
class UserType(relay.Node):
    id: relay.NodeID[str]
    display_name: str

    @classmethod
    def from_row(cls, row: User | FeedAuthor) -> Self:
        name = DELETED_USER if row.deleted_at else (row.display_name or "Ohne Namen")
        return cls(id=str(row.id), display_name=name)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.user_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="RoleAssignment", description="A role a person holds, in a town or region-wide.")
class RoleAssignmentType:
    role: Role
    granted_at: datetime
    town_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: RoleGrant) -> Self:
        return cls(role=Role(row.role), granted_at=row.granted_at, town_id=row.town_id)

    @strawberry.field(description="Null for region-wide roles.")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        row = await info.context.loaders.town_by_id.load(self.town_id)
        return TownType.from_row(row) if row else None


@strawberry.type(name="Me", description="The logged-in person, as only they see themselves.")
class MeType:
    user: UserType
    email: str | None
    user_id: strawberry.Private[uuid.UUID]
    home_town_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: User) -> Self:
        return cls(user=UserType.from_row(row), email=row.email, user_id=row.id, home_town_id=row.home_town_id)

    @strawberry.field(description="The town the person chose as theirs; they can still take part everywhere.")
    async def home_town(self, info: Info) -> TownType | None:
        if self.home_town_id is None:
            return None
        row = await info.context.loaders.town_by_id.load(self.home_town_id)
        return TownType.from_row(row) if row else None

    @strawberry.field(
        description=(
            "One's own ideas in every lifecycle state (pending, held, published, hidden, rejected, withdrawn), "
            "newest first; `moderation` on each says where it stands and why. `first` at most 100."
        )
    )
    async def ideas(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Annotated[IdeaConnection, strawberry.lazy("schema.ideas.types")]:
        from schema.ideas.types import own_ideas  # noqa: PLC0415 - the idea types import this module

        async with info.context.uow.session() as session:
            page = await mine.my_ideas(session, info.context.viewer, first=first, after=after)
        return own_ideas(page, after=after)

    @strawberry.field(
        description=(
            "One's own comments in every lifecycle state, newest first; `moderation` on each says where it stands "
            "and why. `first` at most 100."
        )
    )
    async def comments(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Annotated[CommentConnection, strawberry.lazy("schema.ideas.types")]:
        from schema.ideas.types import own_comments  # noqa: PLC0415 - the idea types import this module

        async with info.context.uow.session() as session:
            page = await mine.my_comments(session, info.context.viewer, first=first, after=after)
        return own_comments(page, after=after)

    @strawberry.field(description="The organisations the person manages, by name.")
    async def organisations(
        self, info: Info
    ) -> list[Annotated[OrganisationType, strawberry.lazy("schema.volunteering.types")]]:
        from schema.volunteering.types import OrganisationType  # noqa: PLC0415 - that adapter imports this module

        async with info.context.uow.session() as session:
            rows = await managed_organisations(session, self.user_id)
        return [OrganisationType.from_row(row) for row in rows]

    @strawberry.field(description="Roles held, in every town.")
    async def roles(self, info: Info) -> list[RoleAssignmentType]:
        rows = await info.context.loaders.role_grants_by_user_id.load(self.user_id)
        return [RoleAssignmentType.from_row(row) for row in rows]

    @strawberry.field(
        description="The messages the service sent this person (also by e-mail), newest first (`first` at most 100)."
    )
    async def notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Annotated[NotificationConnection, strawberry.lazy("schema.notifications.types")]:
        from schema.notifications.types import notification_list  # noqa: PLC0415 - that module imports the schema

        _only_oneself(info, self.user_id)
        return await notification_list(info, first=first, after=after, unread_only=unread_only)

    @strawberry.field(description="How many notifications are unread.")
    async def unread_notifications(self, info: Info) -> int:
        from schema.notifications.types import unread_notifications  # noqa: PLC0415

        _only_oneself(info, self.user_id)
        return await unread_notifications(info)


def _only_oneself(info: Info, user_id: uuid.UUID) -> None:
    """`Me` is only ever built for the caller; its private lists say so again, in case that changes."""
    if info.context.viewer.user_id != user_id:
        raise PermissionDenied
