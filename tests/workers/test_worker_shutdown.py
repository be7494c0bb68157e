"""A real `mitmachen worker` stopped with SIGTERM: it exits promptly, and the job it was running at that moment is
either finished by it or handed back and run by the next worker: never lost, never decided twice.

The running job is a moderation check held in `SELECT … FOR UPDATE` by a row lock the test holds (as in
test_worker_crash.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select, text

from mitmachen.embedded import EmbeddedValkey, free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from service.system.models import WorkerHeartbeat
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import (
    JOB_TIMEOUT_SECONDS,
    Outcome,
    WorkerProcess,
    all_decided,
    api_on,
    eventually,
    explain,
    jobs_queued,
    outcomes,
    worker_process,
)
from tests.workers.test_worker_crash import CHECK_WAITING_FOR_LOCK
from tests.workers.test_worker_metrics import scrape, value

# Generous: this asserts a behaviour (the worker stops), not a speed. Before, an idle worker ran on until killed.
IDLE_EXIT_WITHIN_SECONDS = 10


async def _started(runtime: Runtime, worker: WorkerProcess) -> None:
    """The worker runs its heartbeat job at start-up: once its row is there, the worker is taking jobs."""

    async def heartbeat_written() -> bool:
        assert worker.process.poll() is None, worker.output()
        async with runtime.unit_of_work() as uow, uow.session() as session:
            return bool(await session.scalar(select(func.count()).select_from(WorkerHeartbeat)))

    await eventually(heartbeat_written, within=30, what="the worker starts and writes its heartbeat")


async def test_an_idle_worker_exits_within_seconds_of_sigterm(
    settings: Settings, runtime: Runtime, valkey: EmbeddedValkey
) -> None:
    with worker_process(settings, valkey.url(), valkey.directory / "idle-worker.log") as worker:
        await _started(runtime, worker)
        took = worker.terminate_and_wait(within=IDLE_EXIT_WITHIN_SECONDS)
        assert worker.process.returncode == 0, worker.output()
    print(f"idle worker exited {took:.2f} s after SIGTERM")  # noqa: T201 - measurement


async def _check_blocked(runtime: Runtime, worker: WorkerProcess) -> None:
    """Until the worker's check waits for the row lock the test holds."""

    async def blocked() -> bool:
        assert worker.process.poll() is None, worker.output()
        async with runtime.engine.connect() as probe:
            return bool(await probe.scalar(CHECK_WAITING_FOR_LOCK))

    await eventually(blocked, within=30, what="the worker's check waits for the row lock")


async def _queued_checks(queue: Runtime) -> list[str]:
    """Moderation checks waiting in the queue (their job ids)."""
    return [job.job_id or "" for job in await jobs_queued(queue.redis, "moderation.check")]


async def _submit_one(runtime: Runtime, oidc_provider: OidcProvider, queue: Runtime, graphql: object) -> uuid.UUID:
    citizen = await person(runtime, oidc_provider, "buergerin-shutdown")
    town = await town_ref(graphql, "soest")  # type: ignore[arg-type]
    idea = row_id(await submit(graphql, citizen, town, title="Mehr Bänke am Wall", body="Sitzplätze fehlen."))  # type: ignore[arg-type]
    assert await queue.redis.zcard("arq:queue") == 1
    return idea


async def test_a_job_running_at_sigterm_is_handed_back_and_run_by_the_next_worker(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey
) -> None:
    async with api_on(settings, valkey.url()) as (queue, graphql):
        idea = await _submit_one(runtime, oidc_provider, queue, graphql)
        async with runtime.engine.connect() as holder:
            transaction = await holder.begin()
            await holder.execute(text("SELECT 1 FROM ideas WHERE id = :id FOR UPDATE"), {"id": idea})
            first_log = valkey.directory / "first.log"
            with worker_process(settings, valkey.url(), first_log, "--shutdown-grace", "1") as first:
                await _check_blocked(runtime, first)
                # The check cannot finish while we hold the lock: after its grace period (1 s, shorter than the
                # job timeout) the worker hands it back and exits.
                took = first.terminate_and_wait(within=JOB_TIMEOUT_SECONDS)
                assert first.process.returncode == 0, first.output()
            await transaction.rollback()

        assert (await outcomes(runtime, [idea]))[idea] == Outcome(0, 0, checked=False, lifecycle="pending")
        assert len(await _queued_checks(queue)) == 1, "handed back: still in the queue, to be run again"
        port = free_port()
        second_log = valkey.directory / "second.log"
        with worker_process(settings, valkey.url(), second_log, MITMACHEN_WORKER_METRICS_PORT=str(port)) as second:
            waited = await eventually(
                lambda: all_decided(runtime, [idea]),
                within=30,
                what="the next worker runs the handed-back check",
                explain=lambda: explain(runtime, [idea], first.output() + second.output()),
            )
            # The handed-back job ran as its second try.
            assert value(scrape(port), "mitmachen_jobs_retried_total", job="moderation.check") >= 1
    found = await outcomes(runtime, [idea])
    assert (found[idea].decisions, found[idea].audit_entries) == (1, 1)
    print(f"stopped {took:.1f} s after SIGTERM; handed-back job decided {waited:.1f} s later")  # noqa: T201


async def test_a_job_that_finishes_within_the_grace_period_is_finished_by_the_stopping_worker(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey, tmp_path: Path
) -> None:
    async with api_on(settings, valkey.url()) as (queue, graphql):
        idea = await _submit_one(runtime, oidc_provider, queue, graphql)
        async with runtime.engine.connect() as holder:
            transaction = await holder.begin()
            await holder.execute(text("SELECT 1 FROM ideas WHERE id = :id FOR UPDATE"), {"id": idea})
            with worker_process(settings, valkey.url(), tmp_path / "worker.log") as worker:
                await _check_blocked(runtime, worker)
                worker.process.terminate()
                await transaction.rollback()  # the check can go on now, within the worker's grace period
                worker.process.wait(JOB_TIMEOUT_SECONDS + 8)
                assert worker.process.returncode == 0, worker.output()
        found = await outcomes(runtime, [idea])
        assert (found[idea].decisions, found[idea].audit_entries, found[idea].checked) == (1, 1, True)
        assert await _queued_checks(queue) == [], "finished, so nothing is left to run again"
