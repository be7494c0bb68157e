"""Real worker processes (`mitmachen worker`) for the delivery tests, and what they decided in the database."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from arq.connections import ArqRedis
from arq.constants import job_key_prefix
from arq.jobs import JobDef, deserialize_job
from sqlalchemy import func, select

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.config import Settings
from service.ideas.models import Idea
from service.moderation.models import ModerationDecision
from tests.conftest import GraphQLClient

PROJECT = Path(__file__).resolve().parents[2]
# Short enough that a test sees the sweep and the retry of a crashed worker's job within seconds.
SWEEP_AFTER_SECONDS = 1
JOB_TIMEOUT_SECONDS = 5


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the container dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def terminate_and_wait(self, within: float) -> float:
        """SIGTERM, as an orchestrator stops a container; the seconds until the process exited (fails after
        `within`, and then kills it)."""
        started = time.monotonic()
        self.process.terminate()
        try:
            self.process.wait(within)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker still ran {within} s after SIGTERM\n{self.output()}") from None
        return time.monotonic() - started

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def worker_process(
    settings: Settings, redis_url: str, log: Path, *arguments: str, **extra_environment: str
) -> Iterator[WorkerProcess]:
    """`mitmachen worker` in its own process against the test database and `redis_url`; stopped on exit."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    assert settings.database_url is not None
    environment |= {
        "MITMACHEN_ENVIRONMENT": "test",
        "MITMACHEN_DATABASE_URL": settings.database_url,
        "MITMACHEN_REDIS_URL": redis_url,
        "MITMACHEN_SWEEP_AFTER_SECONDS": str(SWEEP_AFTER_SECONDS),
        "MITMACHEN_JOB_TIMEOUT_SECONDS": str(JOB_TIMEOUT_SECONDS),
    }
    environment |= extra_environment
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own CLI with arguments from the tests
            [sys.executable, "-m", "mitmachen", "worker", *arguments],
            cwd=PROJECT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process, log)
    try:
        yield worker
    finally:
        worker.stop()


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    *,
    within: float,
    what: str,
    explain: Callable[[], Awaitable[str]] | None = None,
) -> float:
    """Wait until `condition` holds; returns the seconds it took, fails after `within` seconds (with `explain`)."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > within:
            details = await explain() if explain else ""
            raise AssertionError(f"not within {within} s: {what}\n{details}")
        await asyncio.sleep(0.2)
    return time.monotonic() - started


async def jobs_queued(redis: ArqRedis, function: str) -> list[JobDef]:
    """The jobs of `function` in arq's queue, read while workers run.

    arq's own `queued_jobs` raises when a job ends between its reading the queue and reading the job, as the
    workers' cron jobs do every minute; such a job is no longer queued and is left out here.
    """
    jobs: list[JobDef] = []
    for queued in await redis.zrange(redis.default_queue_name, 0, -1):
        job_id = queued.decode()
        stored = await redis.get(job_key_prefix + job_id)
        if stored is None:
            continue
        job = deserialize_job(stored, deserializer=redis.job_deserializer)
        if job.function == function:
            job.job_id = job_id
            jobs.append(job)
    return jobs


@asynccontextmanager
async def api_on(settings: Settings, redis_url: str) -> AsyncIterator[tuple[Runtime, GraphQLClient]]:
    """The app as production builds it, with its own runtime whose queue is `redis_url`."""
    own_settings = settings.model_copy(update={"redis_url": redis_url})
    own_runtime = Runtime.create(own_settings)
    app = create_app(own_settings, own_runtime)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
        ):
            yield own_runtime, GraphQLClient(http)
    finally:
        await own_runtime.close()


@dataclass(frozen=True)
class Outcome:
    decisions: int
    audit_entries: int
    checked: bool
    lifecycle: str


async def outcomes(runtime: Runtime, ids: list[uuid.UUID]) -> dict[uuid.UUID, Outcome]:
    """Per idea: automated decisions, audit entries, whether its current text counts as checked, lifecycle."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        decided = dict(
            (
                await session.execute(
                    select(ModerationDecision.subject_id, func.count())
                    .where(ModerationDecision.subject_id.in_(ids))
                    .group_by(ModerationDecision.subject_id)
                )
            ).all()
        )
        audited = dict(
            (
                await session.execute(
                    select(AuditEntry.subject_id, func.count())
                    .where(AuditEntry.subject_id.in_(ids))
                    .group_by(AuditEntry.subject_id)
                )
            ).all()
        )
        rows = (
            await session.execute(
                select(Idea.id, Idea.checked_at.is_not(None) & (Idea.checked_at >= Idea.updated_at), Idea.lifecycle)
                .where(Idea.id.in_(ids))
                .execution_options(populate_existing=True)
            )
        ).all()
    return {
        idea_id: Outcome(decided.get(idea_id, 0), audited.get(idea_id, 0), bool(checked), lifecycle)
        for idea_id, checked, lifecycle in rows
    }


async def all_decided(runtime: Runtime, ids: list[uuid.UUID]) -> bool:
    found = await outcomes(runtime, ids)
    return len(found) == len(ids) and all(outcome.decisions >= 1 and outcome.checked for outcome in found.values())


async def explain(runtime: Runtime, ids: list[uuid.UUID], log: str) -> str:
    """For a failure message: what the database holds about each idea, and the end of the worker's log."""
    found = await outcomes(runtime, ids)
    return "\n".join([*(f"{idea}: {found.get(idea)}" for idea in ids), "worker log:", log])
