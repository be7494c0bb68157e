"""arq worker assembly: job names read `domain.verb`."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob
from arq.worker import Function, func

import service.models  # noqa: F401 - every mapped model, so that foreign keys resolve when jobs flush
from service.config import Settings
from service.kit.jobs import JobType
from service.moderation import jobs as moderation_jobs
from service.notifications import jobs as notification_jobs
from service.privacy import jobs as privacy_jobs
from service.surveys import jobs as survey_jobs
from service.system import jobs as system_jobs
from service.tallies import jobs as tally_jobs
from service.volunteering import jobs as volunteering_jobs
from service.webhooks import jobs as webhook_jobs
from workers.jobs import moderation, notifications, privacy, surveys, system, tallies, volunteering, webhooks
from workers.queue import redis_settings
from workers.registry import Handler, handler
from workers.running import StoppingWorker, WorkerState, measured

# The worker's function table: every declared job type with its handler (a test checks that none is missing).
JOBS: tuple[Handler[Any], ...] = (
    handler(system_jobs.HEARTBEAT, system.heartbeat),
    handler(system_jobs.SWEEP, system.sweep),
    handler(moderation_jobs.CHECK, moderation.check),
    handler(moderation_jobs.HIDE_REPORTED, moderation.hide_reported),
    handler(notification_jobs.DELIVER, notifications.deliver),
    handler(tally_jobs.RECOMPUTE, tallies.recompute),
    handler(survey_jobs.COMPUTE_RESULTS, surveys.compute_results),
    handler(survey_jobs.CLOSE_DUE, surveys.close_due),
    handler(volunteering_jobs.EXPIRE_OFFERS, volunteering.expire_offers),
    handler(volunteering_jobs.SEND_REMINDERS, volunteering.send_reminders),
    handler(volunteering_jobs.END_WAITLISTS, volunteering.end_waitlists),
    handler(privacy_jobs.EXPORT, privacy.export),
    handler(privacy_jobs.PURGE, privacy.purge),
    handler(webhook_jobs.DELIVER, webhooks.deliver),
)
_BY_NAME = {job.name: job for job in JOBS}

# Jobs whose wake-ups share a job id: no result is kept, so that the id is free again as soon as a run ends (arq
# refuses an id while its job or result exists).
NO_RESULT = frozenset({webhook_jobs.DELIVER.name})


def functions() -> list[Function]:
    return [
        func(measured(job.name, job.run), name=job.name, max_tries=5, keep_result=0 if job.name in NO_RESULT else None)
        for job in JOBS
    ]


# Every worker schedules every cron job; a firing is one job id (`<name>:<due time in ms>`), which arq enqueues only
# while no job or result of that id exists. arq keeps no result of a cron job by default, so a worker whose clock is
# behind (or whose loop was busy) would enqueue a firing that already ran and run it again. The result is kept for
# an hour: workers' clocks may differ by up to that much and each firing still runs once.
CRON_RESULT_SECONDS = 3600


def _cron(job: JobType[Any], **when: Any) -> CronJob:
    """A firing is named `<job name>.cron`; the job runs with no arguments."""
    name = f"{job.name}.cron"
    return cron(measured(name, _BY_NAME[job.name].run), name=name, keep_result=CRON_RESULT_SECONDS, **when)


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
            _cron(system_jobs.HEARTBEAT, second={0}, run_at_startup=True),
            _cron(system_jobs.SWEEP, second={5, 20, 35, 50}),
            _cron(tally_jobs.RECOMPUTE, minute={17}, second={0}),
            _cron(survey_jobs.CLOSE_DUE, second={30}),
            _cron(volunteering_jobs.EXPIRE_OFFERS, second={10, 40}),
            _cron(volunteering_jobs.END_WAITLISTS, second={12, 42}),
            _cron(privacy_jobs.PURGE, minute={47}, second={0}),
            _cron(webhook_jobs.DELIVER, second={2, 17, 32, 47}),
            _cron(volunteering_jobs.SEND_REMINDERS, minute=set(range(0, 60, 5)), second={25}),
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
