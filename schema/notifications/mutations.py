from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.permissions import Authenticated
from service.notifications import inbox


@strawberry.type(description="The notifications are marked read.")
class NotificationsMarkedRead:
    marked: int = strawberry.field(description="How many of them were unread until now.")
    unread: int = strawberry.field(description="Unread notifications left.")


MarkNotificationsReadResult = Annotated[
    NotificationsMarkedRead | InvalidInput | NotFoundError, strawberry.union("MarkNotificationsReadResult")
]


def _uuids(ids: list[strawberry.ID]) -> list[uuid.UUID]:
    return [decode_id(value, "Notification", field="ids") for value in ids]


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Mark one's own notifications read: those named by `ids` (at most 100), or with `all: true` "
        "every one. An id that is not one of one's own notifications refuses the call (NOT_FOUND).",
        permission_classes=[Authenticated],
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None, all: bool = False
    ) -> MarkNotificationsReadResult:
        async def action(session: AsyncSession) -> NotificationsMarkedRead:
            wanted = _uuids(ids) if ids is not None else None
            marked = await inbox.mark_read(session, info.context.viewer, ids=wanted, everything=all)
            return NotificationsMarkedRead(marked=marked, unread=await inbox.unread_count(session, info.context.viewer))

        return await run_mutation(info, action)
