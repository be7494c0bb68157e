"""Waking the webhook workers when an event is written, so that it need not wait for the next cron run."""

from __future__ import annotations

import uuid

from sqlalchemy import any_, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.jobs import Job, request_job
from service.webhooks.models import SubscriptionStatus, WebhookSubscription

JOB = "webhooks.deliver"
# Per session: the (town, event type) pairs already looked up, and whether an active subscription wants them.
_CHECKED = "mitmachen.webhooks.checked"


def deliver_job(town_id: uuid.UUID) -> Job:
    """One wake-up per town: arq enqueues a job id only while no job of that id is queued or running, so a burst
    of events sends one job (the job collects again before it ends; the cron catches what slips past)."""
    return Job(JOB, (str(town_id),), key=f"{JOB}:{town_id}")


async def wake_for(session: AsyncSession, town_id: uuid.UUID, event_type: str) -> None:
    """Ask for a delivery run after commit when an active subscription (of the town or the whole region) takes this
    event type; nothing is sent when the transaction rolls back."""
    checked: dict[tuple[uuid.UUID, str], bool] = session.info.setdefault(_CHECKED, {})
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
        request_job(session, deliver_job(town_id))
