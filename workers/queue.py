"""Sending wake-ups to arq. Never raises when Redis is down: the work is in the database and the sweep resends."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import BlockingConnectionPool, Connection, SSLConnection
from redis.exceptions import RedisError

from service.kit.jobs import Job
from service.kit.observability import JOBS_ENQUEUE_FAILED, JOBS_ENQUEUED

logger = logging.getLogger("mitmachen.jobs")

QUEUE_NAME = "arq:queue"
SEND_TIMEOUT_SECONDS = 2.0
REDIS_CONNECTIONS = 50
REDIS_POOL_TIMEOUT_SECONDS = 2


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 1
    settings.conn_retries = 0
    return settings


def connect(url: str) -> ArqRedis:
    """A lazily connecting client: creating it never touches the network, so start-up survives Redis outages.

    Its pool is redis-py's `BlockingConnectionPool`: the default `ConnectionPool` of redis-py 5.3 checks each
    connection it hands out (a read that yields to the event loop) while holding one lock for the whole pool, so
    concurrent commands of a busy process queue behind each other for an event-loop turn each; a rate-limit check
    then took tens of milliseconds, or its 0.5 s timeout, and a request held its database connection meanwhile.
    This pool checks outside its lock, and waits at most `REDIS_POOL_TIMEOUT_SECONDS` for a free connection.
    """
    settings = redis_settings(url)
    pool = BlockingConnectionPool(
        connection_class=SSLConnection if settings.ssl else Connection,
        host=settings.host,
        port=settings.port,
        db=settings.database,
        password=settings.password,
        username=settings.username,
        socket_connect_timeout=1,
        socket_timeout=2,
        max_connections=REDIS_CONNECTIONS,
        timeout=REDIS_POOL_TIMEOUT_SECONDS,
    )
    return ArqRedis(pool)


class ArqJobSender:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def send(self, jobs: Sequence[Job]) -> None:
        for job in jobs:
            job_id, starts = job.windowed(time.time())
            defer_until = None if starts is None else datetime.fromtimestamp(starts, UTC)
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    await self._redis.enqueue_job(job.name, *job.args, _job_id=job_id, _defer_until=defer_until)
            except (RedisError, OSError, TimeoutError) as error:
                JOBS_ENQUEUE_FAILED.labels(job=job.name).inc()
                logger.warning("could not send job %s (the sweep will resend it): %s", job.name, error)
            else:
                JOBS_ENQUEUED.labels(job=job.name).inc()


async def queued_jobs(redis: ArqRedis) -> int:
    async with asyncio.timeout(1):
        return int(await redis.zcard(QUEUE_NAME))
