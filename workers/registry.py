"""A job type paired with its handler: the queued arguments are decoded once, here, into the job's typed arguments."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from service.kit.jobs import JobType

logger = logging.getLogger("mitmachen.worker")
A = TypeVar("A")

IGNORED = "ignored"


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
        return await self.handle(ctx, arguments)


def handler(job: JobType[A], handle: Callable[[dict[str, Any], A], Awaitable[Any]]) -> Handler[Any]:
    return Handler(job, handle)
