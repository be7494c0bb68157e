"""arq worker assembly: job names read `domain.verb`."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, func

import service.models  # noqa: F401 - every mapped model, so that foreign keys resolve when jobs flush
from service.config import Settings
from workers.jobs import moderation, notifications, privacy, surveys, system, tallies, volunteering, webhooks
from workers.queue import redis_settings
from workers.running import StoppingWorker, WorkerState, measured

JOBS: tuple[tuple[str, WorkerCoroutine], ...] = (
    ("system.heartbeat", system.heartbeat),
    ("system.sweep", system.sweep),
    ("moderation.check", moderation.check),
    ("moderation.reports", moderation.reports),
    ("notifications.deliver", notifications.deliver),
    ("tallies.recompute", tallies.recompute),
    ("surveys.results", surveys.results),
    ("surveys.close_due", surveys.close_due),
    ("volunteering.expire_offers", volunteering.expire_offers),
    ("volunteering.reminders", volunteering.reminders),
    ("volunteering.end_waitlists", volunteering.end_waitlists),
    ("privacy.export", privacy.export),
    ("privacy.purge", privacy.purge),
    ("webhooks.deliver", webhooks.deliver),
)


# Jobs whose wake-ups share a job id: no result is kept, so that the id is free again as soon as a run ends (arq
# refuses an id while its job or result exists).
NO_RESULT = frozenset({"webhooks.deliver"})


def functions() -> list[Function]:
    return [
        func(measured(name, coroutine), name=name, max_tries=5, keep_result=0 if name in NO_RESULT else None)
        for name, coroutine in JOBS
    ]


# Every worker schedules every cron job; a firing is one job id (`<name>:<due time in ms>`), which arq enqueues only
# while no job or result of that id exists. arq keeps no result of a cron job by default, so a worker whose clock is
# behind (or whose loop was busy) would enqueue a firing that already ran and run it again. The result is kept for
# an hour: workers' clocks may differ by up to that much and each firing still runs once.
CRON_RESULT_SECONDS = 3600


def _cron(coroutine: WorkerCoroutine, name: str, **when: Any) -> CronJob:
    return cron(measured(name, coroutine), name=name, keep_result=CRON_RESULT_SECONDS, **when)


def create_worker(
    settings: Settings, runtime: Any, *, burst: bool = False, shutdown_grace_seconds: int | None = None
) -> StoppingWorker:
    """`runtime` carries the engine and job sender; it is put in every job's `ctx`.

    On a signal, running jobs get `shutdown_grace_seconds` (default: the job timeout) to finish before they are
    handed back to the queue.
    """
    connection = redis_settings(settings.require_redis_url())
    connection.conn_retries = 60
    connection.conn_retry_delay = 1
    state = WorkerState()
    grace = settings.job_timeout_seconds if shutdown_grace_seconds is None else shutdown_grace_seconds
    return StoppingWorker(
        functions=functions(),
        cron_jobs=[
            _cron(system.heartbeat, "system.heartbeat.cron", second={0}, run_at_startup=True),
            _cron(system.sweep, "system.sweep.cron", second={5, 20, 35, 50}),
            _cron(tallies.recompute, "tallies.recompute.cron", minute={17}, second={0}),
            _cron(surveys.close_due, "surveys.close_due.cron", second={30}),
            _cron(volunteering.expire_offers, "volunteering.expire_offers.cron", second={10, 40}),
            _cron(volunteering.end_waitlists, "volunteering.end_waitlists.cron", second={12, 42}),
            _cron(privacy.purge, "privacy.purge.cron", minute={47}, second={0}),
            _cron(webhooks.deliver, "webhooks.deliver.cron", second={2, 17, 32, 47}),
            _cron(volunteering.reminders, "volunteering.reminders.cron", minute=set(range(0, 60, 5)), second={25}),
        ],
        redis_settings=connection,
        ctx={"runtime": runtime, "worker_state": state},
        state=state,
        shutdown_grace_seconds=grace,
        burst=burst,
        handle_signals=not burst,
        max_jobs=20,
        job_timeout=settings.job_timeout_seconds,
        # On SIGTERM/SIGINT: take no new jobs and let running ones finish, for at most the job timeout
        # (an orchestrator's grace period must be longer, see deploy/k8s); what is still running then is
        # cancelled and retried later, as after a crash.
        keep_result=60,
        health_check_interval=30,
        # A new job waits at most this long for an idle worker to look (one ZRANGEBYSCORE per look).
        poll_delay=settings.worker_poll_seconds,
    )
