"""Rate limits on actions (submitting, supporting, commenting, reporting, …), counted in Redis.

A fixed window per action: at most `per_person` attempts by one person and `per_address` attempts from one client
address within `window_seconds`. Counting is one round trip (the `_COUNT` script: INCR, and the expiry on a new
key), which can also read or charge the caller's query budget (`service/kit/budget.py`), so a mutation costs one
round trip for both. When Redis cannot be reached the attempt is allowed and the outage logged: a broken counter
must not lock citizens out.

One script touches keys of a person and of an address, which no hash tag puts in one slot: the service talks to
one Redis (or a primary with replicas), not to a Redis Cluster, where such a script would be refused (CROSSSLOT).
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

# KEYS: ARGV[1] counters of the write limits, then at most one budget counter. ARGV[2] the counters' expiry; ARGV[3],
# ARGV[4], ARGV[5] the budget's cost, limit and expiry. Returns each counter's count, then the budget's
# {used after this call, 1 if charged else 0}: a charge that would go over the limit is not made.
_COUNT = """
local counted = tonumber(ARGV[1])
local replies = {}
for i = 1, counted do
  replies[i] = redis.call('INCR', KEYS[i])
  if replies[i] == 1 then
    redis.call('EXPIRE', KEYS[i], ARGV[2])
  end
end
if #KEYS > counted then
  local key = KEYS[counted + 1]
  local used = tonumber(redis.call('GET', key) or '0')
  local cost = tonumber(ARGV[3])
  local charged = 0
  if used + cost <= tonumber(ARGV[4]) then
    charged = 1
    if cost > 0 then
      used = redis.call('INCRBY', key, cost)
      if redis.call('TTL', key) < 0 then
        redis.call('EXPIRE', key, ARGV[5])
      end
    end
  end
  replies[counted + 1] = used
  replies[counted + 2] = charged
end
return replies
"""


@dataclass(frozen=True)
class BudgetCounter:
    """A query budget's counter (`service/kit/budget.py`), charged `cost` unless that would go over `limit`."""

    key: str
    cost: int
    limit: int
    expiry: int


@dataclass(frozen=True)
class Counted:
    """What one round trip found: `retry_after` set when a write limit is exceeded; the budget's (used, charged)."""

    retry_after: int | None
    budget: tuple[int, bool] | None


class Counters:
    """The one script that counts write limits and charges budgets, registered once per Redis client."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_COUNT)

    async def count(
        self, counters: list[tuple[str, int]], expiry: int, budget: BudgetCounter | None
    ) -> tuple[list[int], tuple[int, bool] | None]:
        """INCR each of `counters` ((key, limit)), and charge `budget`, in one round trip (raises on Redis errors)."""
        keys = [key for key, _ in counters]
        args: list[int] = [len(counters), expiry, 0, 0, 0]
        if budget is not None:
            keys.append(budget.key)
            args[2:] = [budget.cost, budget.limit, budget.expiry]
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            replies = await self._script(keys=keys, args=args)
        counts = [int(reply) for reply in replies[: len(counters)]]
        if budget is None:
            return counts, None
        return counts, (int(replies[len(counters)]), bool(replies[len(counters) + 1]))


class RateLimitExceeded(ExpectedError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int, *, budget: tuple[int, bool] | None = None) -> None:
        minutes = max(1, round(retry_after_seconds / 60))
        super().__init__(
            "Zu viele Anfragen in kurzer Zeit. "
            f"Bitte versuchen Sie es in {minutes} {'Minute' if minutes == 1 else 'Minuten'} wieder."
        )
        self.retry_after_seconds = retry_after_seconds
        # The query budget's (used, charged) when it was read in the same round trip.
        self.budget = budget

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
        self._counters = Counters(redis)

    async def hit(
        self, action: str, *, person_id: uuid.UUID | None, address: str | None, budget: BudgetCounter | None = None
    ) -> tuple[int, bool] | None:
        """Counts one attempt at `action`; raises `RateLimitExceeded` when a limit is exceeded (fails open).

        With `budget`, charges it in the same round trip and returns its (used, charged); None when the budget was
        not counted (Redis away). A refused attempt raises `RateLimitExceeded` with the budget's reply on it."""
        result = await self.count(action, person_id=person_id, address=address, budget=budget)
        if result.retry_after is not None:
            raise RateLimitExceeded(result.retry_after, budget=result.budget)
        return result.budget

    async def count(
        self, action: str, *, person_id: uuid.UUID | None, address: str | None, budget: BudgetCounter | None
    ) -> Counted:
        window = self.limits.window_seconds
        now = time.time()
        index = int(now // window)
        counted: list[tuple[str, int]] = []
        if self.limits.enabled:
            if person_id is not None:
                counted.append((f"{KEY_PREFIX}:{action}:person:{person_id}:{index}", self.limits.per_person))
            if address is not None:
                counted.append((f"{KEY_PREFIX}:{action}:address:{address}:{index}", self.limits.per_address))
        if not counted and budget is None:
            return Counted(None, None)
        try:
            counts, charged = await self._counters.count(counted, window + 1, budget)
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("rate limit not checked: Redis unavailable (%s); allowing %s", type(error).__name__, action)
            return Counted(None, None)
        exceeded = any(count > limit for count, (_, limit) in zip(counts, counted, strict=True))
        retry_after = max(1, int((index + 1) * window - now + 0.999)) if exceeded else None
        return Counted(retry_after, charged)
