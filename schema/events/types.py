"""The event feed: public facts in the order they committed, for the towns' other systems to follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.events.log import LoggedEvent


@strawberry.type(
    name="Event",
    description="Something that happened in a town that anyone may know (see the event catalogue in the README).",
)
class EventType:
    sequence: str = strawberry.field(description="Position in the whole log; grows with every event.")
    type: str = strawberry.field(description="E.g. `idea.published`, `idea.removed`, `survey.closed`.")
    occurred_at: datetime = strawberry.field(description="When the change committed (its transaction's time).")
    town_id: strawberry.ID | None = strawberry.field(
        description="Global id of the town; null for an event about the whole region (e.g. its tallies)."
    )
    town_slug: str | None
    node: strawberry.ID = strawberry.field(
        description="Global id of what it is about, to fetch with `node(id:)` (the region's `tallies.recomputed` "
        "names its run, which `node` does not resolve: its figures are in the open-data files)."
    )
    payload: JSON = strawberry.field(
        description="The whole event as webhooks send it: version, sequence, type, occurredAt, town, node, data."
    )

    @classmethod
    def from_event(cls, event: LoggedEvent) -> Self:
        payload: dict[str, Any] = event.payload()
        return cls(
            sequence=str(event.sequence),
            type=event.type,
            occurred_at=event.created_at,
            town_id=None if event.town_id is None else strawberry.ID(payload["town"]["id"]),
            town_slug=event.town_slug,
            node=strawberry.ID(event.node_id),
            payload=JSON(payload),
        )


@strawberry.type(name="EventEdge")
class EventEdge:
    cursor: str
    node: EventType


@strawberry.type(name="EventConnection", description="A page of the event log (Relay connection).")
class EventConnection:
    edges: list[EventEdge]
    page_info: relay.PageInfo
