"""`webhooks.deliver`: collect new events for the webhook subscriptions and send what is due, in order.

Sent by the cron every 15 seconds for all towns, and as a wake-up for one town right after an event of a town with
active subscriptions committed (`service/webhooks/wakeup.py`)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from service.config import Environment
from service.webhooks.delivery import RETRY_SCHEDULE, collect, due_subscriptions, send_next
from service.webhooks.jobs import ALL_TOWNS, Delivery
from workers.context import runtime_of, unit_of_work

# One run sends for at most this long; the next run (every 15 seconds) goes on.
RUN_SECONDS = 60.0


async def deliver(
    ctx: dict[str, Any], delivery: Delivery = ALL_TOWNS, *, schedule: tuple[timedelta, ...] = RETRY_SCHEDULE
) -> str:
    """Each attempt is committed on its own, so a worker that dies loses at most one (sent again: at least once).

    The run collects again after sending and ends only when nothing new came and nothing more is due: a wake-up
    refused while this run was going (its job id was taken) finds its event collected here. `delivery.town_id`: only the
    subscriptions taking that town's events (the town's own and the region-wide ones)."""
    allow_loopback = runtime_of(ctx).settings.environment in (Environment.DEV, Environment.TEST)
    town = delivery.town_id
    started = time.monotonic()
    collected = attempts = 0
    while True:
        async with unit_of_work(ctx) as uow, uow.session() as session:
            new = await collect(session, town)
        async with unit_of_work(ctx) as uow, uow.session() as session:
            due = await due_subscriptions(session, town)
        made = 0
        for subscription_id in due:
            while time.monotonic() - started < RUN_SECONDS:
                async with unit_of_work(ctx) as uow, uow.session() as session:
                    sent = await send_next(session, subscription_id, allow_loopback=allow_loopback, schedule=schedule)
                if not sent:
                    break
                made += 1
        collected += new
        attempts += made
        if (new == 0 and made == 0) or time.monotonic() - started >= RUN_SECONDS:
            return f"{collected} collected, {attempts} attempts"
