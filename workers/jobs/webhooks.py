"""`webhooks.deliver`: collect new events for the webhook subscriptions and send what is due, in order."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from service.config import Environment
from service.webhooks.delivery import RETRY_SCHEDULE, collect, due_subscriptions, send_next
from workers.context import runtime_of, unit_of_work

# One run sends for at most this long; the next run (every 15 seconds) goes on.
RUN_SECONDS = 60.0


async def deliver(ctx: dict[str, Any], *, schedule: tuple[timedelta, ...] = RETRY_SCHEDULE) -> str:
    """Each attempt is committed on its own, so a worker that dies loses at most one (sent again: at least once)."""
    allow_loopback = runtime_of(ctx).settings.environment in (Environment.DEV, Environment.TEST)
    async with unit_of_work(ctx) as uow, uow.session() as session:
        collected = await collect(session)
    async with unit_of_work(ctx) as uow, uow.session() as session:
        due = await due_subscriptions(session)
    started = time.monotonic()
    attempts = 0
    for subscription_id in due:
        while time.monotonic() - started < RUN_SECONDS:
            async with unit_of_work(ctx) as uow, uow.session() as session:
                sent = await send_next(session, subscription_id, allow_loopback=allow_loopback, schedule=schedule)
            if not sent:
                break
            attempts += 1
    return f"{collected} collected, {attempts} attempts"
