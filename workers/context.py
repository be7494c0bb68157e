"""What every job receives: the process runtime in arq's `ctx`, and one unit of work per job run."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.config import Settings
from service.kit.jobs import JobSender
from service.kit.unit_of_work import UnitOfWork


class JobRuntime(Protocol):
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    job_sender: JobSender


def runtime_of(ctx: dict[str, Any]) -> JobRuntime:
    runtime: JobRuntime = ctx["runtime"]
    return runtime


def unit_of_work(ctx: dict[str, Any]) -> UnitOfWork:
    """Commits on success, rolls back (and sends nothing) when the job raises."""
    runtime = runtime_of(ctx)
    return UnitOfWork(runtime.session_factory, runtime.job_sender)
