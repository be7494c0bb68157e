"""Benchmark: a cheap query's latency while one client keeps many costly queries in flight, with the admission
door first come, first served ("before") and with one client's share of the slots capped ("after"), in one run.

Run it from the repository root:

    uv run python bench/fairness.py

Options: `--flood 200` costly queries the flooder keeps in flight, `--samples 200` cheap queries measured per
variant (or fewer: at most `--seconds 60` of measuring per variant), `--pool-size 10`
(`MITMACHEN_DATABASE_POOL_SIZE`: the slots of the process), `--rounds 1` (each round runs both variants,
alternating, so drift of a shared machine hits both).

What it does:

1. Creates its own database `mitmachen_bench_fairness_<pid>` (as `bench/feed.py` does: the server of
   `MITMACHEN_BENCH_DATABASE_URL`, else 127.0.0.1:5432, else an embedded one), migrates it and seeds the busy town
   of `bench/feed.py` (5 000 published ideas in Soest, 20 000 people, supports and comments).
2. Builds the app in-process with production settings and drives it through httpx's ASGI transport, so each
   client has an address of its own: the flooder (203.0.113.66) keeps `--flood` requests of the region feed
   (`ideas(first: 100)` with author, town and field of action; cost 1 301) in flight; meanwhile a citizen
   (198.51.100.7) sends `{ towns { slug name } }` one after another, `--samples` times. Query budgets are off
   here (they would soon answer the flooder with 429): this measures the admission door alone.
3. Variants: `alone` (no flooder: the cheap query's own latency), `fifo` (`MITMACHEN_FAIR_ADMISSION=false`,
   arrival order only) and `fair` (the default: one address holds at most a quarter of the slots, rounded up).
   Prints the cheap query's p50/p95/max and the flooder's completed requests per second, and writes
   `bench/results/fairness.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

from feed import (  # noqa: E402 - after the path is set
    create_database,
    database_url,
    drop_database,
    migrate_and_seed_towns,
    seed_busy_town,
    server_url,
)

RESULTS = ROOT / "bench" / "results" / "fairness.json"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
COSTLY = (
    "{ ideas(first: 100, orderBy: MOST_SUPPORTED) { edges { node { id title body supportCount commentCount "
    "author { displayName } town { name } strategyArea { name } } } } }"
)
CHEAP = "{ towns { slug name } }"
FLOODER = "203.0.113.66"
CITIZEN = "198.51.100.7"


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - the benchmark reports on stdout


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def variant(app: Any, *, flood: int, samples: int, seconds: float) -> dict[str, float]:
    """The cheap query's latencies (ms) while the flooder keeps `flood` costly queries in flight: `samples` of
    them, or as many as `seconds` allow (first come, first served, each takes seconds)."""
    flooder = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(FLOODER, 40000)), base_url="http://bench", timeout=120
    )
    citizen = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(CITIZEN, 40000)), base_url="http://bench", timeout=120
    )
    for client, query in ((flooder, COSTLY), (citizen, CHEAP)):
        reply = await client.post("/graphql", json={"query": query})
        if reply.status_code != 200 or "errors" in reply.json():
            raise RuntimeError(f"the workload fails: {reply.text}")
    running = True
    completed = 0
    failed = 0

    async def flood_one() -> None:
        nonlocal completed, failed
        while running:
            reply = await flooder.post("/graphql", json={"query": COSTLY})
            if reply.status_code == 200:
                completed += 1
            else:
                failed += 1

    flooding = [asyncio.create_task(flood_one()) for _ in range(flood)]
    await asyncio.sleep(2.0)  # every flooder request has arrived and the door's queue is full
    latencies: list[float] = []
    completed = 0
    started = time.perf_counter()
    while len(latencies) < samples and time.perf_counter() - started < seconds:
        before = time.perf_counter()
        reply = await citizen.post("/graphql", json={"query": CHEAP})
        latencies.append((time.perf_counter() - before) * 1000)
        if reply.status_code != 200:
            raise RuntimeError(f"the cheap query failed: {reply.status_code} {reply.text}")
    elapsed = time.perf_counter() - started
    flooder_rate = completed / elapsed
    running = False
    await asyncio.gather(*flooding)
    await flooder.aclose()
    await citizen.aclose()
    return {
        "cheap_p50_ms": round(_percentile(latencies, 0.5), 1),
        "cheap_p95_ms": round(_percentile(latencies, 0.95), 1),
        "cheap_max_ms": round(max(latencies), 1),
        "cheap_samples": len(latencies),
        "flooder_requests_per_second": round(flooder_rate, 1),
        "flooder_refused": failed,
    }


async def run(args: argparse.Namespace) -> dict[str, list[dict[str, float]]]:
    import mitmachen.app  # noqa: PLC0415 - once sys.path is set
    from mitmachen.runtime import Runtime  # noqa: PLC0415
    from service.config import Environment, Settings  # noqa: PLC0415

    server, stack = server_url()
    name = f"mitmachen_bench_fairness_{os.getpid()}"
    samples: dict[str, list[dict[str, float]]] = {"alone": [], "fifo": [], "fair": []}
    with stack:
        await create_database(server, name)
        try:
            url = database_url(server, name)
            await migrate_and_seed_towns(url)
            say("seeding the busy town …")
            await seed_busy_town(url)
            base = Settings(
                environment=Environment.PRODUCTION,
                database_url=url,
                redis_url=os.environ.get("MITMACHEN_BENCH_REDIS_URL", DEFAULT_REDIS),
                database_pool_size=args.pool_size,
                log_level="WARNING",
                query_budget_enabled=False,
                identity_secret="bench-identity-secret-0123456789abcdef",  # noqa: S106 - a throwaway database
            )
            runtime = Runtime.create(base)
            try:
                for round_number in range(args.rounds):
                    order = ("alone", "fifo", "fair") if round_number % 2 == 0 else ("alone", "fair", "fifo")
                    for kind in order:
                        settings = base.model_copy(update={"fair_admission": kind != "fifo"})
                        flood = 0 if kind == "alone" else args.flood
                        app = mitmachen.app.create_app(settings, runtime)
                        async with app.router.lifespan_context(app):
                            result = await variant(app, flood=flood, samples=args.samples, seconds=args.seconds)
                        samples[kind].append(result)
                        say(f"round {round_number + 1} {kind:4} " + "  ".join(f"{k} {v}" for k, v in result.items()))
            finally:
                await runtime.close()
        finally:
            await drop_database(server, name)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    samples = asyncio.run(run(args))
    summary: dict[str, dict[str, float]] = {}
    for kind, results in samples.items():
        summary[kind] = {key: round(statistics.median(r[key] for r in results), 1) for key in results[0]}
        say(
            f"{kind:4} cheap query p50 {summary[kind]['cheap_p50_ms']} ms, p95 {summary[kind]['cheap_p95_ms']} ms, "
            f"max {summary[kind]['cheap_max_ms']} ms; flooder {summary[kind]['flooder_requests_per_second']}/s"
        )
    from importlib import metadata  # noqa: PLC0415

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "fairness",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "uv run python bench/fairness.py " + " ".join(sys.argv[1:]),
                "settings": vars(args),
                "results": summary,
                "samples": samples,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "packages": {name: metadata.version(name) for name in ("strawberry-graphql", "starlette")},
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
