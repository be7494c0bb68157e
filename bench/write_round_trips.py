"""A write's Redis work: the query budget and the write limit in two round trips (as before) or in one.

Run it from the repository root (Redis at MITMACHEN_BENCH_REDIS_URL, default db 14 of the local server):

    uv run python bench/write_round_trips.py

Alternates, six rounds of 2 000 writes each, the budget charged on its own and then the limit counted (two round
trips, as a mutation did before) with the limit counted and the budget read by one script (one round trip, as a
mutation does now), one write at a time, and prints the medians of wall time and of this process's CPU per write.
The keys it writes expire after the window (60 s); nothing is flushed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from redis.asyncio import BlockingConnectionPool, Redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from moderation import say

from service.kit.budget import QueryBudget
from service.kit.ratelimit import Limits, RateLimiter

WRITES = 2000
ROUNDS = 6
ADDRESS = "203.0.113.7"


async def main() -> None:
    url = os.environ.get("MITMACHEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis = Redis(connection_pool=BlockingConnectionPool.from_url(url, max_connections=10))
    limits = Limits(enabled=True, window_seconds=60, per_person=10**9, per_address=10**9)
    limiter, budget = RateLimiter(redis, limits), QueryBudget(redis, limits)
    person = uuid.uuid4()

    async def two() -> None:
        await budget.charge(0, person_id=person, address=ADDRESS)
        await limiter.hit("bench.write", person_id=person, address=ADDRESS)

    async def one() -> None:
        counter = budget.counter(0, person_id=person, address=ADDRESS)
        await limiter.hit("bench.write", person_id=person, address=ADDRESS, budget=counter)

    ways: dict[str, Callable[[], Awaitable[None]]] = {"two round trips": two, "one round trip": one}
    measured: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    try:
        for way in ways.values():
            await way()  # loads the script
        for number in range(ROUNDS):
            order = list(ways.items()) if number % 2 == 0 else list(ways.items())[::-1]
            for name, way in order:
                cpu, wall = time.process_time(), time.perf_counter()
                for _ in range(WRITES):
                    await way()
                measured[name].append(
                    ((time.perf_counter() - wall) / WRITES * 1e6, (time.process_time() - cpu) / WRITES * 1e6)
                )
    finally:
        await redis.aclose()
    for name, values in measured.items():
        walls, cpus = [value[0] for value in values], [value[1] for value in values]
        say(
            f"{name}: wall {statistics.median(walls):.0f} µs, CPU {statistics.median(cpus):.0f} µs per write "
            f"(rounds: wall {min(walls):.0f}-{max(walls):.0f}, CPU {min(cpus):.0f}-{max(cpus):.0f})"
        )


if __name__ == "__main__":
    asyncio.run(main())
