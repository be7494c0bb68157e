"""Query budgets: the estimated cost of each query (`schema/cost.py`) is charged to the caller, counted in Redis.

A person is charged on their own account; an anonymous caller on their client address. Each has `per_person` or
`per_address` cost points per fixed window of `window_seconds`. A query that would go over what is left is
refused and charged nothing, so the caller can still afford cheaper ones. Charging is one round trip (a small Lua
script: read, compare, add, set the expiry). When Redis cannot be reached the query runs uncharged and the outage
is logged: a broken counter must not lock citizens out (as with the write limits in `service/kit/ratelimit.py`).
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
from service.kit.ratelimit import REDIS_TIMEOUT_SECONDS, Limits

logger = logging.getLogger("mitmachen.ratelimit")

KEY_PREFIX = "mitmachen:budget"

# KEYS[1] the window's counter; ARGV cost, limit, expiry. Returns {used after this call, 1 if charged else 0}.
_CHARGE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then
  return {used, 0}
end
if cost > 0 then
  used = redis.call('INCRBY', KEYS[1], cost)
  if redis.call('TTL', KEYS[1]) < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
  end
end
return {used, 1}
"""


def budget_limits(settings: Settings) -> Limits:
    """The budgets, in the shape of the write limits: `per_person` and `per_address` are cost points."""
    return Limits(
        enabled=settings.query_budget_enabled,
        window_seconds=settings.query_budget_window_seconds,
        per_person=settings.query_budget_per_person,
        per_address=settings.query_budget_per_address,
    )


@dataclass(frozen=True)
class BudgetStatus:
    """Where a caller stands after a charge: `allowed` False means the query was refused (and not charged)."""

    limit: int
    remaining: int
    resets_in: int
    cost: int
    allowed: bool

    def report(self) -> dict[str, int]:
        """What every answer carries in `extensions.budget`."""
        return {"limit": self.limit, "remaining": self.remaining, "resetsIn": self.resets_in, "cost": self.cost}


class QueryBudget:
    def __init__(self, redis: Redis, limits: Limits) -> None:
        self.redis = redis
        self.limits = limits
        self._charge = redis.register_script(_CHARGE)

    async def charge(self, cost: int, *, person_id: uuid.UUID | None, address: str | None) -> BudgetStatus | None:
        """Charges `cost` to the person, or to the address of an anonymous caller.

        None when nothing is counted: budgets switched off, a caller without person or address, or Redis away.
        """
        if not self.limits.enabled:
            return None
        window = self.limits.window_seconds
        now = time.time()
        index = int(now // window)
        resets_in = max(1, int((index + 1) * window - now + 0.999))
        if person_id is not None:
            key, limit = f"{KEY_PREFIX}:person:{person_id}:{index}", self.limits.per_person
        elif address is not None:
            key, limit = f"{KEY_PREFIX}:address:{address}:{index}", self.limits.per_address
        else:
            return None
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                used, charged = await self._charge(keys=[key], args=[cost, limit, window + 1])
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("query budget not charged: Redis unavailable (%s)", type(error).__name__)
            return None
        return BudgetStatus(
            limit=limit,
            remaining=max(0, limit - int(used)),
            resets_in=resets_in,
            cost=cost,
            allowed=bool(charged),
        )
