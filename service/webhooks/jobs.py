"""Webhooks' job: collecting events and sending what is due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType


@dataclass(frozen=True)
class Delivery:
    """`town_id`: only the subscriptions taking that town's events; None (the cron) for all."""

    town_id: uuid.UUID | None = None


ALL_TOWNS = Delivery()

# One wake-up per town: arq enqueues a job id only while no job of that id is queued or running, so a burst of
# events sends one job (the job collects again before it ends; the cron catches what slips past).
DELIVER = JobType("webhooks.deliver", Delivery, key=lambda delivery: str(delivery.town_id))
