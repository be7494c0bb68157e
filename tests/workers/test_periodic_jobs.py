"""Acceptance: three `mitmachen worker` processes on one database and Redis run every periodic job once per firing.

Every worker schedules every cron job of `workers/settings.py`; a firing is one arq job id, so the three enqueue it
once between them. The test counts the runs on the workers' own `/metrics` (`mitmachen_jobs_run_total`, summed over
the three): a firing run twice shows there as one run too many.

- Live: the three run for a while (two or more firings of the sweep, offer expiry and waitlist end, at least one of
  the heartbeat and of closing due surveys); each job ran exactly as often as its schedule fired in that time.
- Driven: the firings that come too rarely to wait for (the hourly tally and purge, the reminders every five minutes)
  and two of every other job are scheduled the way arq's cron does it (`Worker.run_cron` at a chosen time) by three
  schedulers at once, and once more by a fourth that comes late, as a worker whose clock is behind does, after the
  firing already ran. Each firing still runs once.
"""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta

import httpx
from arq import create_pool
from arq.cron import CronJob

from mitmachen.embedded import EmbeddedValkey, free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.workers.processes import WorkerProcess, eventually, worker_process
from tests.workers.test_worker_metrics import scrape
from workers.queue import redis_settings
from workers.running import StoppingWorker
from workers.settings import create_worker

WORKERS = 3
# How long a cron job may take, from its due time until it is counted; no scrape falls into this span.
RUN_MARGIN = timedelta(seconds=3)
# arq enqueues a firing up to a second before it is due; a scrape leaves that much room before the next one.
AHEAD_MARGIN = timedelta(seconds=1.5)


def firings(job: CronJob, after: datetime, until: datetime) -> Iterator[datetime]:
    """The due times of `job` in (`after`, `until`]."""
    probe = copy.copy(job)
    probe.calculate_next(after - timedelta(seconds=1))  # arq's next run is at least a second after its argument
    assert probe.next_run is not None
    while probe.next_run <= until:
        if probe.next_run > after:
            yield probe.next_run
        probe.calculate_next(probe.next_run)
        assert probe.next_run is not None


def cron_runs(ports: list[int]) -> Counter[str]:
    """Runs of each cron job (any outcome) summed over the workers."""
    runs: Counter[str] = Counter()
    for port in ports:
        for (name, labels), value in scrape(port).items():
            job = dict(labels).get("job", "")
            if name == "mitmachen_jobs_run_total" and job.endswith(".cron"):
                runs[job] += int(value)
    return runs


def now() -> datetime:
    """The time as arq's cron sees it (the system's time zone)."""
    return datetime.now().astimezone()


async def quiet_moment(table: list[CronJob]) -> datetime:
    """A moment when no cron job is due shortly before or after: every run before it has been counted, none after."""
    while True:
        moment = now()
        if not any(any(firings(job, moment - RUN_MARGIN, moment + AHEAD_MARGIN)) for job in table):
            return moment
        await asyncio.sleep(0.2)


async def drained(redis_url: str) -> None:
    """Wait until no job is due: arq leaves a job in its queue while it runs (jobs deferred to later may wait).

    A firing enqueued again after it ran waits up to a minute, until arq's in-progress mark of the first run expires.
    """
    pool = await create_pool(redis_settings(redis_url))
    try:

        async def due() -> list[tuple[bytes, float]]:
            return list(await pool.zrangebyscore("arq:queue", 0, now().timestamp() * 1000, withscores=True))

        async def nothing_due() -> bool:
            return not await due()

        async def state() -> str:
            return f"due: {await due()}"

        await eventually(nothing_due, within=90, what="the workers ran every due job", explain=state)
    finally:
        await pool.aclose()


async def schedule_together(settings: Settings, runtime: Runtime, since: datetime, schedulers: int) -> None:
    """`schedulers` arq schedulers built like a worker's, each enqueueing the first two firings after `since` of every
    cron job (all in the past, so they run at once) with arq's own `run_cron`."""
    built = [create_worker(settings, runtime, burst=True) for _ in range(schedulers)]
    pool = await create_pool(redis_settings(settings.require_redis_url()))
    try:
        for scheduler in built:
            scheduler._pool = pool  # the scheduling alone, without running the worker
            for job in scheduler.cron_jobs:
                job.calculate_next(since)

        async def two_firings(scheduler: StoppingWorker) -> None:
            for _ in range(2):
                await scheduler.run_cron(now(), 0.5)

        await asyncio.gather(*(two_firings(scheduler) for scheduler in built))
    finally:
        await pool.aclose()


async def test_three_workers_run_each_firing_of_every_periodic_job_once(
    settings: Settings, runtime: Runtime, valkey: EmbeddedValkey
) -> None:
    redis_url = valkey.url()
    own_settings = settings.model_copy(update={"redis_url": redis_url})
    table = create_worker(own_settings, runtime, burst=True).cron_jobs
    ports = [free_port() for _ in range(WORKERS)]
    with ExitStack() as stack:
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
        await _started(workers, ports)
        before_live = await quiet_moment(table)
        counted_before = cron_runs(ports)

        # Two firings of every job, three hours ago, scheduled by three workers at once, then by a late one.
        past = (before_live - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
        await schedule_together(own_settings, runtime, past, WORKERS)
        await drained(redis_url)
        await schedule_together(own_settings, runtime, past, 1)
        await drained(redis_url)

        frequent = {"system.sweep.cron", "volunteering.expire_offers.cron", "volunteering.end_waitlists.cron"}
        once_a_minute = {"system.heartbeat.cron", "surveys.close_due.cron"}
        while True:
            after_live = await quiet_moment(table)
            fired = {job.name: len(list(firings(job, before_live, after_live))) for job in table}
            if all(fired[name] >= 2 for name in frequent) and all(fired[name] >= 1 for name in once_a_minute):
                break
            await asyncio.sleep(1)
        counted_after = cron_runs(ports)
        for worker in workers:
            assert worker.process.poll() is None, worker.output()

    ran = {job.name: counted_after[job.name] - counted_before[job.name] for job in table}
    expected = {name: live + 2 for name, live in fired.items()}
    assert ran == expected, "\n".join(worker.output() for worker in workers)
    print(  # noqa: T201 - measurement
        f"{(after_live - before_live).total_seconds():.0f} s live; runs per cron job: {ran}"
    )


async def _started(workers: list[WorkerProcess], ports: list[int]) -> None:
    """Every worker answers on its metrics port and the start-up heartbeats have run."""

    async def answering() -> bool:
        for worker in workers:
            assert worker.process.poll() is None, worker.output()
        try:
            return cron_runs(ports)["system.heartbeat.cron"] >= 1
        except httpx.TransportError:
            return False

    await eventually(answering, within=30, what="three workers answer on their metrics ports")
    await asyncio.sleep(3)  # the start-up heartbeat of each runs at once, without waiting for its minute
