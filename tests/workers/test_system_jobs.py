from __future__ import annotations

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.config import Settings
from service.system.models import WorkerHeartbeat
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
