"""Wake-up messages for workers.

The database is the source of truth for work to do. A service that creates work records it in the request's
transaction and asks the unit of work to send a wake-up after commit; if the message is lost (Redis down, the
process dies between commit and send), a periodic sweep finds the work in the database and sends it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

_PENDING = "mitmachen.jobs"


@dataclass(frozen=True)
class Job:
    """A job name in `domain.verb` form and the ids it works on. `key` makes repeated sends collapse into one.

    With `window_seconds`, the key is that of the window of time the wake-up is sent in (after the commit), and the
    job runs when that window ends: every send of a window is one job, which starts after all of them, and a send
    in a later window is a job of its own, never refused because an earlier one is running or was kept.
    """

    name: str
    args: tuple[str, ...] = ()
    key: str | None = None
    window_seconds: float | None = None

    def windowed(self, now: float) -> tuple[str | None, float | None]:
        """(job id, start time as epoch seconds) for a wake-up sent at `now`; (key, None) without a window."""
        if self.window_seconds is None or self.key is None:
            return self.key, None
        window = int(now // self.window_seconds)
        return f"{self.key}:{window}", (window + 1) * self.window_seconds


class JobSender(Protocol):
    async def send(self, jobs: Sequence[Job]) -> None:
        """Send wake-ups; must not raise when the queue is unreachable (the sweep recovers)."""


class DiscardingJobSender:
    """For commands that run without workers (migrate, seed): the sweep sends what is pending later."""

    async def send(self, jobs: Sequence[Job]) -> None:
        return None


def request_job(session: AsyncSession, job: Job) -> None:
    """Ask for a wake-up after the session's transaction commits (dropped if it, or the savepoint, rolls back)."""
    session.info.setdefault(_PENDING, []).append(job)


def pending_jobs(session: AsyncSession) -> list[Job]:
    jobs: list[Job] = session.info.setdefault(_PENDING, [])
    return jobs
