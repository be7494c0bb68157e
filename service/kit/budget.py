"""Query budgets: the estimated cost of each query (`schema/cost.py`) is charged to the caller, counted in Redis.

A person is charged on their own account; an anonymous caller on their client address. Each has `per_person` or
`per_address` cost points per fixed window of `window_seconds`. A query that would go over what is left is
refused and charged nothing, so the caller can still afford cheaper ones. Charging is one round trip (the Lua
script of `service/kit/ratelimit.py`: read, compare, add, set the expiry), for a mutation the same round trip that
counts its write limit. When Redis cannot be reached the query runs uncharged and the outage
is logged: a broken counter must not lock citizens out (as with the write limits in `service/kit/ratelimit.py`).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from service.config import Settings
from service.kit.ratelimit import BudgetCounter, Counters, Limits

logger = logging.getLogger("mitmachen.ratelimit")

KEY_PREFIX = "mitmachen:budget"


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


@dataclass
class DeferredBudget:
    """A charge left to the first write limit a mutation counts, so that both take one round trip."""

    budget: QueryBudget
    counter: BudgetCounter
    # Redis's reply, once read: (used, charged), or None when Redis was away.
    reply: tuple[int, bool] | None = None
    done: bool = False

    def read(self, reply: tuple[int, bool] | None) -> None:
        self.reply, self.done = reply, True

    def status(self) -> BudgetStatus | None:
        return self.budget.status(self.counter, *self.reply) if self.reply is not None else None


class QueryBudget:
    def __init__(self, redis: Redis, limits: Limits) -> None:
        self.redis = redis
        self.limits = limits
        self._counters = Counters(redis)

    def counter(self, cost: int, *, person_id: uuid.UUID | None, address: str | None) -> BudgetCounter | None:
        """The counter a charge of `cost` goes to: the person's, or the address's of an anonymous caller.

        None when nothing is counted: budgets switched off, or a caller without person or address."""
        if not self.limits.enabled:
            return None
        window = self.limits.window_seconds
        index = int(time.time() // window)
        if person_id is not None:
            return BudgetCounter(f"{KEY_PREFIX}:person:{person_id}:{index}", cost, self.limits.per_person, window + 1)
        if address is not None:
            return BudgetCounter(f"{KEY_PREFIX}:address:{address}:{index}", cost, self.limits.per_address, window + 1)
        return None

    def status(self, counter: BudgetCounter, used: int, charged: bool) -> BudgetStatus:
        """Where the caller stands after `counter` was charged (or refused): Redis's reply read."""
        window = self.limits.window_seconds
        now = time.time()
        resets_in = max(1, int((int(now // window) + 1) * window - now + 0.999))
        return BudgetStatus(
            limit=counter.limit,
            remaining=max(0, counter.limit - used),
            resets_in=resets_in,
            cost=counter.cost,
            allowed=charged,
        )

    async def charge(self, cost: int, *, person_id: uuid.UUID | None, address: str | None) -> BudgetStatus | None:
        """Charges `cost` to the person, or to the address of an anonymous caller.

        None when nothing is counted: budgets switched off, a caller without person or address, or Redis away.
        """
        counter = self.counter(cost, person_id=person_id, address=address)
        if counter is None:
            return None
        reply = await self.counters_reply(counter)
        return self.status(counter, *reply) if reply is not None else None

    async def counters_reply(self, counter: BudgetCounter) -> tuple[int, bool] | None:
        """Charges `counter`: Redis's (used, charged), or None when Redis is away (logged)."""
        try:
            _, reply = await self._counters.count([], 0, counter)
        except (RedisError, OSError, TimeoutError) as error:
            logger.warning("query budget not charged: Redis unavailable (%s)", type(error).__name__)
            return None
        return reply
