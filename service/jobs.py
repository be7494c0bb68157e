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
    """A job name in `domain.verb` form and the ids it works on. `key` makes repeated sends collapse into one."""

    name: str
    args: tuple[str, ...] = ()
    key: str | None = None


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
