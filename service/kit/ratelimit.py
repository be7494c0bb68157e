"""Rate limits on actions (submitting, supporting, commenting, reporting, …), counted in Redis.

A fixed window per action: at most `per_person` attempts by one person and `per_address` attempts from one client
address within `window_seconds`. Counting is one pipelined INCR + EXPIRE per key. When Redis cannot be reached the
attempt is allowed and the outage logged: a broken counter must not lock citizens out.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.config import Settings
from service.kit.errors import ExpectedError

logger = logging.getLogger("mitmachen.ratelimit")

REDIS_TIMEOUT_SECONDS = 0.5
KEY_PREFIX = "mitmachen:ratelimit"


class RateLimitExceeded(ExpectedError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        minutes = max(1, round(retry_after_seconds / 60))
        super().__init__(
            "Zu viele Anfragen in kurzer Zeit. "
            f"Bitte versuchen Sie es in {minutes} {'Minute' if minutes == 1 else 'Minuten'} wieder."
        )
        self.retry_after_seconds = retry_after_seconds

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code, "retryAfterSeconds": self.retry_after_seconds}


@dataclass(frozen=True)
class Limits:
    enabled: bool
    window_seconds: int
    per_person: int
    per_address: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            enabled=settings.rate_limit_enabled,
            window_seconds=settings.rate_limit_window_seconds,
            per_person=settings.rate_limit_per_person,
            per_address=settings.rate_limit_per_address,
        )


class RateLimiter:
    def __init__(self, redis: Redis, limits: Limits) -> None:
        self.redis = redis
        self.limits = limits

    async def hit(self, action: str, *, person_id: uuid.UUID | None, address: str | None) -> None:
        """Counts one attempt at `action`; raises `RateLimitExceeded` when a limit is exceeded (fails open)."""
        if not self.limits.enabled:
            return
        window = self.limits.window_seconds
        now = time.time()
        index = int(now // window)
        retry_after = max(1, int((index + 1) * window - now + 0.999))
        counted: list[tuple[str, int]] = []
        if person_id is not None:
            counted.append((f"{KEY_PREFIX}:{action}:person:{person_id}:{index}", self.limits.per_person))
        if address is not None:
            counted.append((f"{KEY_PREFIX}:{action}:address:{address}:{index}", self.limits.per_address))
        if not counted:
            return
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                pipeline = self.redis.pipeline(transaction=False)
                for key, _ in counted:
                    pipeline.incr(key)
                    pipeline.expire(key, window + 1, nx=True)
                replies = await pipeline.execute()
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("rate limit not checked: Redis unavailable (%s); allowing %s", type(error).__name__, action)
            return
        for position, (_, limit) in enumerate(counted):
            if int(replies[position * 2]) > limit:
                raise RateLimitExceeded(retry_after)
