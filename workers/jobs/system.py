"""Housekeeping jobs: the heartbeat and the sweep that resends wake-ups for work still pending in the database."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.jobs import NO_ARGUMENTS, Job, NoArguments
from service.moderation import sweep as moderation_sweep
from service.notifications import delivery as notification_delivery
from service.privacy import exports as privacy_exports
from service.surveys import sweep as surveys_sweep
from service.system.models import WorkerHeartbeat
from workers.context import runtime_of, unit_of_work

logger = logging.getLogger("mitmachen.worker")

Sweeper = Callable[[AsyncSession, timedelta], Awaitable[Sequence[Job]]]

# Each domain with asynchronous work registers a function that lists the jobs for work still pending.
SWEEPERS: list[Sweeper] = [
    moderation_sweep.unchecked_submissions,
    moderation_sweep.unhandled_reports,
    notification_delivery.unsent,
    surveys_sweep.stale_results,
    privacy_exports.unbuilt,
]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def heartbeat(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> str:
    """Record that this worker is alive; idempotent (one row per worker, overwritten)."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        values = {"worker_name": worker_name(), "seen_at": func.now()}
        await session.execute(
            insert(WorkerHeartbeat)
            .values(**values)
            .on_conflict_do_update(index_elements=[WorkerHeartbeat.worker_name], set_={"seen_at": func.now()})
        )
    return worker_name()


async def sweep(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """Resend wake-ups for everything pending longer than the threshold; returns how many were sent.

    Each sweeper runs in a savepoint of its own: one that fails (a bug, a statement PostgreSQL refuses) is logged
    and rolled back alone, and the others still find their work and have their wake-ups sent.
    """
    threshold = timedelta(seconds=runtime_of(ctx).settings.sweep_after_seconds)
    sent = 0
    async with unit_of_work(ctx) as uow:
        for sweeper in SWEEPERS:
            try:
                async with uow.savepoint() as session:
                    jobs = await sweeper(session, threshold)
            except Exception:
                name = getattr(sweeper, "__qualname__", repr(sweeper))
                logger.exception("sweeper %s failed; the other sweepers still run", name)
                continue
            for job in jobs:
                uow.after_commit(job)
            sent += len(jobs)
    if sent:
        logger.info("sweep resent %d wake-ups", sent)
    return sent
