"""A queue outage while a worker starts jobs: arq's slot for each job is given back, and the poll loop goes on.

arq takes a slot (of `max_jobs`) for a job before it reads the job in Redis; a Redis failure in that read used to
keep the slot for good, so that after `max_jobs` failures the worker started no job again while it looked alive.
The poll loop also ended, and the process with it, when the connection was lost while arq watched a key.
"""

from __future__ import annotations

import asyncio

import pytest
from arq import create_pool
from redis.exceptions import RedisError

from mitmachen.embedded import EmbeddedValkey
from mitmachen.runtime import Runtime
from service.config import Settings
from workers.settings import create_worker


async def test_failed_starts_during_a_queue_outage_give_back_their_slots(
    settings: Settings, runtime: Runtime, valkey: EmbeddedValkey
) -> None:
    worker = create_worker(settings.model_copy(update={"redis_url": valkey.url()}), runtime)
    worker._pool = await create_pool(worker.redis_settings)
    try:
        job = await worker.pool.enqueue_job("system.heartbeat")
        assert job is not None
        job_id = job.job_id.encode()

        valkey.stop()
        for _ in range(worker.max_jobs + 1):
            with pytest.raises((RedisError, OSError)):
                await worker.start_jobs([job_id])
        await worker._poll_iteration()  # logs the outage and returns, as each poll does until Redis is back
        assert worker.job_counter == 0
        assert not worker.tasks

        valkey.start()
        job = await worker.pool.enqueue_job("system.heartbeat")
        assert job is not None
        await asyncio.wait_for(worker.start_jobs([job.job_id.encode()]), 10)
        assert job.job_id in worker.tasks, "the worker starts jobs again"
        assert worker.job_counter == 1
        await asyncio.wait_for(worker.tasks[job.job_id], 10)
        assert worker.job_counter == 0
    finally:
        await worker.close()
