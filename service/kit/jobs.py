"""Wake-up messages for workers.

The database is the source of truth for work to do. A service that creates work records it in the request's
transaction and asks the unit of work to send a wake-up after commit; if the message is lost (Redis down, the
process dies between commit and send), a periodic sweep finds the work in the database and sends it again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

_PENDING = "mitmachen.jobs"
A = TypeVar("A")
_NAME = re.compile(r"^[a-z]+\.[a-z]+(_[a-z]+)*$")


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


@dataclass(frozen=True)
class NoArguments:
    """The arguments of a job that works on everything due (cron jobs)."""


NO_ARGUMENTS = NoArguments()


@dataclass(frozen=True, eq=False)
class JobType(Generic[A]):
    """A job's name and the types of its arguments: the only place they are encoded for the queue and decoded.

    `arguments` is a frozen dataclass; on the queue its fields are positional strings in field order (UUIDs and
    enumerations as their text, a trailing `None` left out), so job ids and queued jobs read as before. `key` makes
    repeated sends collapse: the job id is `<name>:<key>`; `window_seconds` see `Job`.
    """

    name: str
    arguments: type[A]
    key: Callable[[A], str] | None = None
    window_seconds: float | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"job name {self.name!r} is not of the form domain.verb")
        if self.name in DECLARED:
            raise ValueError(f"job name {self.name!r} is declared twice")
        DECLARED[self.name] = self

    @cached_property
    def _adapter(self) -> TypeAdapter[A]:
        return TypeAdapter(self.arguments)

    def __call__(self, arguments: A, *, collapse: bool = True) -> Job:
        """The wake-up for these arguments; `collapse=False` sends it without the key (a new run even while an
        earlier one is queued, as after an edit that needs checking again)."""
        values = [getattr(arguments, field.name) for field in dataclasses.fields(self.arguments)]  # type: ignore[arg-type]
        while values and values[-1] is None:
            values.pop()
        if None in values:
            raise ValueError(f"{self.name}: only trailing arguments may be left out")
        key = f"{self.name}:{self.key(arguments)}" if self.key and collapse else None
        return Job(self.name, tuple(str(value) for value in values), key=key, window_seconds=self.window_seconds)

    def decode(self, args: Sequence[Any]) -> A:
        """The arguments of a queued job; raises `ValueError` (pydantic's `ValidationError` too) if unusable."""
        names = [field.name for field in dataclasses.fields(self.arguments)]  # type: ignore[arg-type]
        if len(args) > len(names):
            raise ValueError(f"{self.name} takes at most {len(names)} arguments, not {len(args)}")
        return self._adapter.validate_python(dict(zip(names, args, strict=False)))


# Every job type by name, as modules declare them (`service/<domain>/jobs.py`).
DECLARED: dict[str, JobType[Any]] = {}


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
