"""Webhook subscriptions as their town's admins see them (never their secret)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from schema.context import Info
from service.webhooks import subscriptions
from service.webhooks.models import WebhookDelivery, WebhookSubscription

MAX_RESPONSE_BODY = 1024


@strawberry.enum(name="WebhookSubscriptionStatus")
class WebhookSubscriptionStatus(Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    DISABLED = strawberry.enum_value("disabled", description="Given up after a day of failed deliveries.")


@strawberry.enum(name="WebhookDeliveryStatus")
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = strawberry.enum_value("failed", description="Given up after the last retry.")


@strawberry.type(name="WebhookDelivery", description="One event sent (or being sent) to a subscription.")
class WebhookDeliveryType:
    sequence: str = strawberry.field(description="The event's sequence; its `webhook-id` is the event's id.")
    event_type: str
    status: WebhookDeliveryStatus
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    response_code: int | None
    response_body: str | None = strawberry.field(description="The receiver's answer, at most 1 kB.")
    error: str | None = strawberry.field(description="Why the last attempt got no answer (timeout, refused address).")

    @classmethod
    def from_row(cls, row: WebhookDelivery) -> Self:
        return cls(
            sequence=str(row.sequence),
            event_type=row.event_type,
            status=WebhookDeliveryStatus(row.status),
            attempts=row.attempts,
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at,
            response_code=row.response_code,
            response_body=row.response_body[:MAX_RESPONSE_BODY] if row.response_body is not None else None,
            error=row.error,
        )


@strawberry.type(name="WebhookSubscription", description="Where a town's events are sent, signed with its secret.")
class WebhookSubscriptionType:
    id: strawberry.ID
    url: str
    event_types: list[str]
    status: WebhookSubscriptionStatus
    created_at: datetime
    previous_secret_valid_until: datetime | None = strawberry.field(
        description="After a rotation the old secret signs too until then."
    )
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: WebhookSubscription) -> Self:
        return cls(
            id=strawberry.ID(strawberry.relay.to_base64("WebhookSubscription", str(row.id))),
            url=row.url,
            event_types=list(row.event_types),
            status=WebhookSubscriptionStatus(row.status),
            created_at=row.created_at,
            previous_secret_valid_until=row.previous_secret_until,
            row_id=row.id,
        )

    @strawberry.field(description="The latest deliveries, newest first (at most 20).")
    async def recent_deliveries(self, info: Info) -> list[WebhookDeliveryType]:
        async with info.context.uow.session() as session:
            rows = await subscriptions.recent_deliveries(session, self.row_id)
        return [WebhookDeliveryType.from_row(row) for row in rows]
