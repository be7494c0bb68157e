"""Waking the webhook workers when an event is written, so that it need not wait for the next cron run."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.jobs import request_job
from service.webhooks.jobs import DELIVER, Delivery
from service.webhooks.models import SubscriptionStatus, WebhookSubscription

# Per session: the (town, event type) pairs already looked up, and whether an active subscription wants them.
_CHECKED = "mitmachen.webhooks.checked"


async def wake_for(session: AsyncSession, town_id: uuid.UUID | None, event_type: str) -> None:
    """Ask for a delivery run after commit when an active subscription (of the town or the whole region) takes this
    event type; nothing is sent when the transaction rolls back. `town_id` None: a region event, which only the
    region-wide subscriptions take (the run then looks at every subscription)."""
    checked: dict[tuple[uuid.UUID | None, str], bool] = session.info.setdefault(_CHECKED, {})
    if (town_id, event_type) not in checked:
        checked[(town_id, event_type)] = bool(
            await session.scalar(
                select(
                    exists().where(
                        WebhookSubscription.status == SubscriptionStatus.ACTIVE.value,
                        (WebhookSubscription.town_id == town_id) | WebhookSubscription.town_id.is_(None),
                        literal(event_type) == any_(WebhookSubscription.event_types),
                    )
                )
            )
        )
    if checked[(town_id, event_type)]:
        request_job(session, DELIVER(Delivery(town_id)))
