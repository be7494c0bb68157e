"""Moderation jobs: the automated check of a pending contribution, and hiding after enough reports."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from service.kit.jobs import Job, JobSender
from service.moderation.automated import check_submission
from service.moderation.jobs import Subject
from service.moderation.reports import hide_if_reported
from service.notifications.jobs import DELIVER, NotificationRef
from workers.context import runtime_of, unit_of_work
from workers.jobs.notifications import deliver

logger = logging.getLogger("mitmachen.worker")


class DeliverHere:
    """Sends a job's wake-ups after its commit, except the author's notifications: those this job delivers itself
    (`deliver_kept`), one queue round trip and one job run fewer per decision."""

    def __init__(self, queue: JobSender) -> None:
        self.queue = queue
        self.kept: list[NotificationRef] = []

    async def send(self, jobs: Sequence[Job]) -> None:
        self.kept += [DELIVER.decode(job.args) for job in jobs if job.name == DELIVER.name]
        others = [job for job in jobs if job.name != DELIVER.name]
        if others:
            await self.queue.send(others)

    async def deliver_kept(self, ctx: dict[str, Any]) -> None:
        """Each kept notification as `notifications.deliver` would (the attempt counted in a transaction of its own
        first); one that fails here for another reason than the mail server goes to the queue after all."""
        for notification in self.kept:
            try:
                await deliver(ctx, notification)
            except Exception:
                logger.exception("delivering a notification after a decision failed; queued for a worker instead")
                await self.queue.send([DELIVER(notification)])


async def check(ctx: dict[str, Any], subject: Subject) -> str:
    """`moderation.check`: decide once; a repeated run changes nothing. The author's notification is delivered
    right after the decision commits, by this job."""
    sender = DeliverHere(runtime_of(ctx).job_sender)
    async with unit_of_work(ctx, sender) as uow, uow.session() as session:
        outcome = await check_submission(session, kind=subject.kind, subject_id=subject.id)
    await sender.deliver_kept(ctx)
    return outcome.value if outcome else "unchanged"


async def hide_reported(ctx: dict[str, Any], subject: Subject) -> str:
    """`moderation.hide_reported`: hide once enough people reported; idempotent."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        hidden = await hide_if_reported(session, kind=subject.kind, subject_id=subject.id)
    return "hidden" if hidden else "unchanged"
