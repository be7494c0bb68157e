from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from mitmachen.runtime import Runtime
from service.config import Settings
from service.kit.jobs import Job
from service.system.models import WorkerHeartbeat
from tests.service.moderation import factories
from tests.support.ideas import queued_jobs
from workers.jobs import system
from workers.jobs.system import worker_name
from workers.settings import create_worker


async def test_a_worker_runs_a_queued_heartbeat_and_records_it(settings: Settings, runtime: Runtime) -> None:
    job = await runtime.redis.enqueue_job("system.heartbeat")
    assert job is not None
    worker = create_worker(settings, runtime, burst=True)

    await worker.main()
    await worker.close()

    assert await runtime.redis.zcard("arq:queue") == 0, "the queued heartbeat was taken"
    assert worker.jobs_failed == 0
    async with runtime.unit_of_work() as uow, uow.session() as session:
        beat = await session.scalar(select(WorkerHeartbeat))
    assert beat is not None
    assert beat.worker_name == worker_name()


async def test_a_failing_sweeper_is_logged_and_the_others_still_send_their_wake_ups(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    author = await factories.user(runtime)
    forgotten = await factories.idea_row(runtime, author, created_at=datetime.now(UTC) - timedelta(minutes=5))

    async def broken(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
        await session.execute(text("SELECT no_such_column FROM ideas"))  # aborts what it runs in
        return []

    monkeypatch.setattr(system, "SWEEPERS", [broken, *system.SWEEPERS])
    caplog.set_level(logging.ERROR, logger="mitmachen.worker")

    sent = await system.sweep({"runtime": runtime})

    assert sent == 1
    assert await queued_jobs(runtime) == [("moderation.check", ("idea", str(forgotten)))]
    [record] = caplog.records
    assert "broken" in record.getMessage()
    assert record.exc_info is not None
