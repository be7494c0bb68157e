"""Sending wake-ups to arq. Never raises when Redis is down: the work is in the database and the sweep resends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from arq.connections import ArqRedis, RedisSettings
from redis.exceptions import RedisError

from service.jobs import Job
from service.observability import JOBS_ENQUEUE_FAILED, JOBS_ENQUEUED

logger = logging.getLogger("mitmachen.jobs")

QUEUE_NAME = "arq:queue"
SEND_TIMEOUT_SECONDS = 2.0


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 1
    settings.conn_retries = 0
    return settings


def connect(url: str) -> ArqRedis:
    """A lazily connecting client: creating it never touches the network, so start-up survives Redis outages."""
    settings = redis_settings(url)
    return ArqRedis(
        host=settings.host,
        port=settings.port,
        db=settings.database,
        password=settings.password,
        username=settings.username,
        ssl=settings.ssl,
        socket_connect_timeout=1,
        socket_timeout=2,
    )


class ArqJobSender:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def send(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    await self._redis.enqueue_job(job.name, *job.args, _job_id=job.key)
            except (RedisError, OSError, TimeoutError) as error:
                JOBS_ENQUEUE_FAILED.labels(job=job.name).inc()
                logger.warning("could not send job %s (the sweep will resend it): %s", job.name, error)
            else:
                JOBS_ENQUEUED.labels(job=job.name).inc()


async def queued_jobs(redis: ArqRedis) -> int:
    async with asyncio.timeout(1):
        return int(await redis.zcard(QUEUE_NAME))
