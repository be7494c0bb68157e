from __future__ import annotations

import strawberry

from schema.ids import NotificationId
from schema.mutation import Call, mutation
from service.notifications import inbox


@strawberry.type(description="The notifications are marked read.")
class NotificationsMarkedRead:
    marked: int = strawberry.field(description="How many of them were unread until now.")
    unread: int = strawberry.field(description="Unread notifications left.")


@strawberry.type
class NotificationMutations:
    @mutation(
        "Mark one's own notifications read: those named by `ids` (at most 100), or with `all: true` every one. An "
        "id that is not one of one's own notifications refuses the call (NOT_FOUND)."
    )
    async def mark_notifications_read(
        call: Call, ids: list[NotificationId] | None = None, all: bool = False
    ) -> NotificationsMarkedRead:
        marked = await inbox.mark_read(call.session, call.viewer, ids=ids, everything=all)
        return NotificationsMarkedRead(marked=marked, unread=await inbox.unread_count(call.session, call.viewer))
