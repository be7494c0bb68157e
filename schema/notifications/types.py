"""A person's notifications (the e-mails the service sent or will send them), as they read them in the API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay

from schema.context import Info
from schema.ids import uuids
from schema.pagination import connection_from_page
from service.notifications import inbox
from service.notifications.models import Notification


@strawberry.type(
    name="Notification",
    description="A message to the logged-in person, also sent by e-mail. Only its addressee ever sees it.",
)
class NotificationType(relay.Node):
    id: relay.NodeID[str]
    kind: str = strawberry.field(
        description="What it is about, e.g. `idea.answered`, `volunteering.place_offered`, `privacy.export_ready`."
    )
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None = strawberry.field(description="When marked read; null: unread.")

    @strawberry.field(description="Marked read by `markNotificationsRead`.")
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        """`node(id:)`: one's own notifications; anyone else's resolve to null."""
        wanted = uuids(node_ids)
        if info.context.viewer.user_id is None:
            return [None] * len(wanted)
        async with info.context.uow.session() as session:
            rows = {row.id: row for row in await inbox.own_notifications(session, info.context.viewer, wanted)}
        return [cls.from_row(rows[key]) if key in rows else None for key in wanted]

    @classmethod
    def from_row(cls, row: Notification) -> Self:
        return cls(
            id=str(row.id),
            kind=row.kind,
            subject=row.subject,
            body=row.body,
            created_at=row.created_at,
            read_at=row.read_at,
        )


@strawberry.type(name="NotificationEdge")
class NotificationEdge(relay.Edge[NotificationType]):
    pass


@strawberry.type(name="NotificationConnection")
class NotificationConnection(relay.Connection[NotificationType]):
    edges: list[NotificationEdge]  # type: ignore[assignment]


async def notification_list(info: Info, *, first: int, after: str | None, unread_only: bool) -> NotificationConnection:
    async with info.context.uow.session() as session:
        page = await inbox.notifications_of(
            session, info.context.viewer, first=first, after=after, unread_only=unread_only
        )
    return connection_from_page(NotificationConnection, NotificationEdge, page, NotificationType.from_row, after=after)


async def unread_notifications(info: Info) -> int:
    async with info.context.uow.session() as session:
        return await inbox.unread_count(session, info.context.viewer)
