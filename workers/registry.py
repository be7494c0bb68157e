"""A job type paired with its handler: the queued arguments are decoded once, here, into the job's typed arguments.

When the database goes away (a restart, a failover) a job that meets it is handed back to the queue and tried again
after a growing pause, within its `max_tries`, instead of failing: a failed job keeps its result, and while that
result is kept arq refuses the sweep's wake-up of the same key, so the work would wait out the result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from arq import Retry

from service.db.availability import database_unavailable
from service.kit.jobs import JobType

logger = logging.getLogger("mitmachen.worker")
A = TypeVar("A")

IGNORED = "ignored"
# The pause before a job that met an unavailable database runs again, by try: 1, 2, 4, 8 s and so on, at most 30 s.
DATABASE_RETRY_FIRST_SECONDS = 1.0
DATABASE_RETRY_LONGEST_SECONDS = 30.0


def database_retry_seconds(job_try: int) -> float:
    """How long a job's `job_try`th try waits before the next when the database was unavailable."""
    doubled: float = DATABASE_RETRY_FIRST_SECONDS * 2 ** (max(job_try, 1) - 1)
    return min(doubled, DATABASE_RETRY_LONGEST_SECONDS)


@dataclass(frozen=True)
class Handler(Generic[A]):
    job: JobType[A]
    handle: Callable[[dict[str, Any], A], Awaitable[Any]]

    @property
    def name(self) -> str:
        return self.job.name

    async def run(self, ctx: dict[str, Any], *args: Any) -> Any:
        """arq's entry point: a job with unusable arguments (from an older release, or a hand-made one) is logged
        and ignored, since running it again would not make them usable."""
        try:
            arguments = self.job.decode(args)
        except ValueError:
            logger.warning("%s with unusable arguments %r: ignored", self.job.name, args)
            return IGNORED
        try:
            return await self.handle(ctx, arguments)
        except Exception as error:
            if not database_unavailable(error):
                raise
            job_try = ctx.get("job_try", 1)
            pause = database_retry_seconds(job_try)
            logger.warning(
                "%s: database unavailable (%s: %s) on try %d; handed back, tried again in %.0f s",
                self.job.name,
                type(error).__name__,
                error,
                job_try,
                pause,
            )
            raise Retry(defer=pause) from error


def handler(job: JobType[A], handle: Callable[[dict[str, Any], A], Awaitable[Any]]) -> Handler[Any]:
    return Handler(job, handle)
