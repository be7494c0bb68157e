"""Acceptance: of three `mitmachen worker` processes, the one running a moderation check is killed; the other two
decide every submission, each exactly once, the retry of the abandoned job included.

As in `test_worker_crash.py`, a row lock held by the test keeps one check waiting in `SELECT … FOR UPDATE`. The
worker running it is found on the workers' own `/metrics` (a run is observed in `mitmachen_job_queue_wait_seconds`
when it starts and counted in `mitmachen_jobs_run_total` when it ends) and killed with SIGKILL.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack

from arq.connections import ArqRedis
from sqlalchemy import text

from mitmachen.embedded import EmbeddedValkey, free_port, port_answers
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import (
    JOB_TIMEOUT_SECONDS,
    WorkerProcess,
    all_decided,
    api_on,
    eventually,
    explain,
    jobs_queued,
    worker_process,
)
from tests.workers.test_worker_crash import (
    CHECK_WAITING_FOR_LOCK,
    TITLES,
    assert_decided_once_and_the_abandoned_check_rerun,
)
from tests.workers.test_worker_metrics import scrape, value

WORKERS = 3
CHECK = "moderation.check"


def checks_running(port: int) -> float:
    """Checks this worker started and has not finished (by any outcome)."""
    samples = scrape(port)
    started = value(samples, "mitmachen_job_queue_wait_seconds_count", job=CHECK)
    ended = sum(
        value(samples, "mitmachen_jobs_run_total", job=CHECK, outcome=outcome)
        for outcome in ("succeeded", "failed", "handed_back")
    )
    return started - ended


async def checks_waiting(redis: ArqRedis, blocked: uuid.UUID) -> int:
    """Check jobs of `blocked` still queued (a running job stays in arq's queue until it ends)."""
    return sum(1 for job in await jobs_queued(redis, CHECK) if tuple(job.args) == ("idea", str(blocked)))


async def test_three_workers_one_killed_mid_check_decide_every_submission_exactly_once(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey
) -> None:
    citizens = [await person(runtime, oidc_provider, f"buerger-{number}") for number in range(3)]
    redis_url = valkey.url()
    ports = [free_port() for _ in range(WORKERS)]
    async with api_on(settings, redis_url) as (queue, graphql):
        town = await town_ref(graphql, "soest")
        ideas: list[uuid.UUID] = [
            row_id(await submit(graphql, citizens[number % 3], town, title=title, body=body))
            for number, (title, body) in enumerate(TITLES)
        ]
        blocked, others = ideas[0], ideas[1:]
        with ExitStack() as stack:
            async with runtime.engine.connect() as holder:
                transaction = await holder.begin()
                await holder.execute(text("SELECT 1 FROM ideas WHERE id = :id FOR UPDATE"), {"id": blocked})
                workers = [
                    stack.enter_context(
                        worker_process(
                            settings,
                            redis_url,
                            valkey.directory / f"worker-{number}.log",
                            MITMACHEN_WORKER_METRICS_PORT=str(port),
                        )
                    )
                    for number, port in enumerate(ports)
                ]

                def logs() -> str:
                    return "\n".join(worker.output() for worker in workers)

                async def only_the_blocked_check_runs() -> bool:
                    for worker in workers:
                        assert worker.process.poll() is None, worker.output()
                    async with runtime.engine.connect() as probe:
                        waiting = bool(await probe.scalar(CHECK_WAITING_FOR_LOCK))
                    if not (waiting and all(map(port_answers, ports)) and await all_decided(runtime, others)):
                        return False
                    # A check whose decision has committed is counted as ended a moment later: wait for that.
                    return sorted(checks_running(port) for port in ports) == [0, 0, 1]

                await eventually(
                    only_the_blocked_check_runs,
                    within=45,
                    what="all three answer, the other submissions are decided and only the blocked check runs",
                    explain=lambda: explain(runtime, ideas, logs()),
                )
                running = [worker for worker, port in zip(workers, ports, strict=True) if checks_running(port) >= 1]
                assert len(running) == 1, [checks_running(port) for port in ports]
                [victim] = running
                victim.kill()
                await transaction.rollback()

            survivors: list[WorkerProcess] = [worker for worker in workers if worker is not victim]

            async def decided_and_retried() -> bool:
                for worker in survivors:
                    assert worker.process.poll() is None, worker.output()
                return await all_decided(runtime, ideas) and await checks_waiting(queue.redis, blocked) == 0

            waited = await eventually(
                decided_and_retried,
                within=JOB_TIMEOUT_SECONDS + 50,
                what="the two other workers decide the abandoned check and run its retry",
                explain=lambda: explain(runtime, ideas, logs()),
            )

        runs = await assert_decided_once_and_the_abandoned_check_rerun(runtime, queue, ideas, blocked)
        assert runs, "the abandoned check ran again"
    print(f"abandoned check decided and retried {waited:.1f} s after the kill")  # noqa: T201 - measurement
