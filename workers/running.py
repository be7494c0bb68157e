"""How a worker stops, and what it counts for `/metrics`.

On SIGTERM or SIGINT a worker takes no new job and sends no cron job from that moment, lets the jobs it runs
finish for up to its grace period, then cancels the rest: arq hands a cancelled job back to the queue (it keeps
its place and another worker, or this one after a restart, runs it again; jobs are idempotent). An idle worker
exits at once. A second signal cancels what still runs without waiting for the grace period.

When Redis goes away the worker waits for it instead of exiting: arq's poll loop ends at the first failed Redis call,
so the worker catches that in each poll, logs the outage once and tries again every second; the database holds the
pending work, and the sweep re-sends what a lost wake-up missed once Redis is back. A job whose start failed on
Redis gives back the slot arq took for it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from signal import Signals
from typing import Any

from arq import Retry
from arq.typing import WorkerCoroutine
from arq.worker import Worker
from redis.exceptions import RedisError

from service.kit.observability import JOB_QUEUE_WAIT, JOB_SECONDS, JOBS_RETRIED, JOBS_RUN

logger = logging.getLogger("mitmachen.worker")
QUEUE_RETRY_SECONDS = 1.0


@dataclass
class WorkerState:
    """Shared by every job of one worker (through `ctx`): whether the worker is stopping."""

    stopping: bool = False


def measured(name: str, coroutine: WorkerCoroutine) -> WorkerCoroutine:
    """The job, counted in `mitmachen_jobs_run` by outcome, with its queue wait and run time observed.

    Outcomes: `succeeded`; `handed_back` (the job asked to be retried, as one that met an unavailable database
    does, see `workers.registry`; or the worker's shutdown cancelled it and gave it back to the queue); `failed`
    (an exception, or the job timeout, which arq records as a failure). A run that is a job's second or later try
    (after a hand-back, or after its worker died) also counts in `mitmachen_jobs_retried`.
    """

    @functools.wraps(coroutine)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        # `score` is when the job was due (its enqueue time, or the time it was deferred to), in milliseconds.
        JOB_QUEUE_WAIT.labels(job=name).observe(max(0.0, time.time() - ctx["score"] / 1000))
        if ctx.get("job_try", 1) > 1:
            JOBS_RETRIED.labels(job=name).inc()
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await coroutine(ctx, *args, **kwargs)
        except Retry:
            outcome = "handed_back"
            raise
        except asyncio.CancelledError:
            state: WorkerState | None = ctx.get("worker_state")
            outcome = "handed_back" if state is not None and state.stopping else "failed"
            raise
        else:
            outcome = "succeeded"
            return result
        finally:
            JOBS_RUN.labels(job=name, outcome=outcome).inc()
            JOB_SECONDS.labels(job=name).observe(time.perf_counter() - started)

    return run


class StoppingWorker(Worker):
    """An arq worker that stops promptly on a signal (see the module's docstring)."""

    def __init__(self, *args: Any, shutdown_grace_seconds: int, state: WorkerState, **kwargs: Any) -> None:
        # arq's handler for `job_completion_wait` stops picking jobs and waits for the running ones; with 0 it
        # would cancel them at once, which is what a grace of 0 means here too.
        super().__init__(*args, job_completion_wait=shutdown_grace_seconds, **kwargs)
        self.state = state
        self._signals = 0
        self._queue_away = False

    def handle_sig_wait_for_completion(self, signum: Signals) -> None:
        self._signals += 1
        self.state.stopping = True
        self.allow_pick_jobs = False
        if self._signals == 1:
            super().handle_sig_wait_for_completion(signum)
        else:
            running = sum(not task.done() for task in self.tasks.values())
            logger.info("second signal: handing back %d running jobs now", running)
            self.handle_sig(signum)

    def handle_sig(self, signum: Signals) -> None:
        self.state.stopping = True
        self.allow_pick_jobs = False
        super().handle_sig(signum)

    async def heart_beat(self) -> None:
        # arq sends due cron jobs from its poll loop; a stopping worker leaves them to the workers that go on.
        if self.state.stopping:
            return
        await super().heart_beat()

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # arq takes a slot (its semaphore and job counter) for a job before it reads the job in Redis, and gives it
        # back when the read finds nothing to start or when the job's task ends; a Redis failure in between would
        # keep the slot for good, and after `max_jobs` such failures the worker would start no job again.
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return
            key = job_id.decode()
            previous = self.tasks.get(key)
            try:
                await super().start_jobs([job_id])
            except (RedisError, OSError):
                if self.tasks.get(key) is previous:  # no task was made for the job: its slot is free
                    self.job_counter -= 1
                    self.sem.release()
                raise

    async def _poll_iteration(self) -> None:
        # arq's main loop calls this once per poll and ends (the process with it) when it raises. A connection lost
        # while arq watches a key surfaces as a WatchError, and a job's task that met the outage re-raises here.
        try:
            await super()._poll_iteration()
        except (RedisError, OSError) as error:
            if not self._queue_away:
                logger.warning("queue unavailable (%s); the worker waits for it", type(error).__name__)
            self._queue_away = True
            await asyncio.sleep(QUEUE_RETRY_SECONDS)
            return
        if self._queue_away:
            logger.info("queue available again")
            self._queue_away = False

    async def run_until_stopped(self) -> None:
        """Run until the queue is empty (burst) or a signal stopped the worker."""
        try:
            await self.async_run()
        except asyncio.CancelledError:
            # The signal handler cancels the main task; anything else cancelling us is passed on.
            if not self.state.stopping:
                raise
