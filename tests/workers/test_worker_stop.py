"""A worker process told to stop (SIGTERM, as Kubernetes and podman do) finishes its running job, then exits.

A real `mitmachen worker` takes the moderation check of an idea; the test holds the idea's row lock so that the
check is in flight when the signal arrives. The worker takes no new job, waits for that one (at most the job
timeout), and exits with status 0 on its own: no SIGKILL is needed, and the idea is decided once.
"""

from __future__ import annotations

import asyncio
import signal
import time

from sqlalchemy import text

from mitmachen.embedded import EmbeddedValkey
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import JOB_TIMEOUT_SECONDS, all_decided, api_on, eventually, outcomes, worker_process

CHECK_WAITING_FOR_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
    "AND query ILIKE '%FROM ideas%FOR UPDATE%'"
)


async def test_sigterm_lets_the_running_job_finish_and_the_worker_exit(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey
) -> None:
    citizen = await person(runtime, oidc_provider, "buerger-stop")
    async with api_on(settings, valkey.url()) as (_, graphql):
        town = await town_ref(graphql, "soest")
        idea = row_id(await submit(graphql, citizen, town))

    async with runtime.engine.connect() as holder:
        transaction = await holder.begin()
        await holder.execute(text("SELECT 1 FROM ideas WHERE id = :id FOR UPDATE"), {"id": idea})
        with worker_process(settings, valkey.url(), valkey.directory / "worker.log") as worker:

            async def check_is_blocked() -> bool:
                assert worker.process.poll() is None, worker.output()
                async with runtime.engine.connect() as probe:
                    return bool(await probe.scalar(CHECK_WAITING_FOR_LOCK))

            await eventually(check_is_blocked, within=30, what="the worker's check waits for the row lock")
            worker.process.send_signal(signal.SIGTERM)
            await asyncio.sleep(1)
            assert worker.process.poll() is None, "the worker left while its job was running"
            await transaction.rollback()
            started = time.monotonic()

            async def exited() -> bool:
                return worker.process.poll() is not None

            await eventually(exited, within=JOB_TIMEOUT_SECONDS, what=f"the worker exits\n{worker.output()}")
            assert worker.process.returncode == 0, worker.output()
            assert time.monotonic() - started < JOB_TIMEOUT_SECONDS
            assert "shutdown on SIGTERM, wait complete" in worker.output()

    assert await all_decided(runtime, [idea])
    assert (await outcomes(runtime, [idea]))[idea].decisions == 1
