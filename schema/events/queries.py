from __future__ import annotations

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.events.types import EventConnection, EventEdge, EventType
from schema.pagination import connection
from schema.permissions import Public
from service.events import log
from service.kit.errors import InvalidArgument, UserError

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class EventQueries:
    @strawberry.field(
        description=(
            "What happened in the last 30 days, oldest first: follow it with `after` (the last cursor read). "
            "`town`: that town's events only; without it every town's and the region's (events without a town). "
            "Public facts only, readable by anyone."
        ),
        permission_classes=[Public],
    )
    async def events(
        self,
        info: Info,
        town: strawberry.ID | None = None,
        after: str | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        types: list[str] | None = None,
    ) -> EventConnection:
        try:
            town_id = decode_id(town, "Town", field="town") if town is not None else None
        except UserError as error:
            raise InvalidArgument(error.message) from None
        async with info.context.uow.session() as session:
            page = await log.events(session, first=first, after=after, town_id=town_id, types=types)
        return connection(
            EventConnection,
            EventEdge,
            page.items,
            cursor=lambda event: event.cursor,
            node=EventType.from_event,
            has_next_page=page.has_next_page,
            after=after,
        )
