"""Benchmark: throughput of the API with the request limits and without them, in the same run.

Run it from the repository root:

    uv run python bench/limits.py

Options: `--seconds 8` measured per round, `--rounds 2` (each round runs both variants, alternating, so drift of a
shared machine hits both), `--concurrency 8` requests in flight.

What it does:

1. Finds PostgreSQL and Redis as the tests do (`MITMACHEN_TEST_DATABASE_URL` / `MITMACHEN_TEST_REDIS_URL`, local
   servers, or embedded ones), creates the database `mitmachen_bench_limits_<pid>`, migrates it and seeds the demo
   towns.
2. For each round and variant starts a child process (`--variant limits` or `--variant none`) that builds the app
   in-process and drives it through httpx's ASGI transport (no network, no server process: the difference measured
   is the app's own work). A child is needed per variant because a strawberry schema is built once per process.
   - `limits`: the app as deployed: token, depth, alias and cost validation rules, the cost check with variable
     values, and the rate limiter (Redis) on mutations.
   - `none`: the same app whose schema has only the parse and validation caches and error masking, and rate limits
     switched off.
   Workloads, anonymous: `towns` (a literal query, its validation cached) and `feed` (the town feed with `first`
   from a variable, so the cost is estimated again on every request), and `rate-limited` (the limiter's own call,
   one Redis round trip, measured directly: an anonymous caller cannot reach the limited mutations). Each child
   also measures the CPU time of one operation that touches no database
   (`query Probe($b: Boolean!) { __typename @include(if: $b) }` through `schema.execute`, 3 000 times): the
   fixed cost the extensions add, less exposed to a noisy machine than requests per second.
3. Prints requests/s per workload and variant and the ratio limits/none, and writes `bench/results/limits.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "limits.json"
TOWNS = "{ towns { slug name strategyAreas { name } } }"
FEED = """
query Feed($slug: String!, $first: Int!) {
  town(slug: $slug) { ideas(first: $first) { edges { node { id title supportCount author { displayName } } } } }
}
"""
WORKLOADS: dict[str, dict[str, Any]] = {
    "towns": {"query": TOWNS},
    "feed": {"query": FEED, "variables": {"slug": "soest", "first": 20}},
}


def say(message: str = "") -> None:
    print(message, flush=True)  # noqa: T201 - the benchmark reports on stdout


# ---------------------------------------------------------------- child: one variant, in-process


def _schema_without_limits() -> Any:
    import strawberry  # noqa: PLC0415
    from strawberry.extensions import ParserCache, ValidationCache  # noqa: PLC0415
    from strawberry.schema.config import StrawberryConfig  # noqa: PLC0415

    from schema.extensions import MaskUnexpectedErrors, OperationMetrics  # noqa: PLC0415
    from schema.root import CACHED_DOCUMENTS, Mutation, Query  # noqa: PLC0415

    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
            lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
            OperationMetrics,
            MaskUnexpectedErrors,
        ],
    )


async def _drive(http: Any, body: dict[str, Any], seconds: float, concurrency: int) -> float:
    """Requests per second over `seconds` with `concurrency` requests in flight (after a short warm-up)."""
    response = await http.post("/graphql", json=body)
    if response.status_code != 200 or "errors" in response.json():
        raise RuntimeError(f"the workload fails: {response.text}")
    done = 0
    deadline = 0.0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            reply = await http.post("/graphql", json=body)
            if reply.status_code != 200:
                raise RuntimeError(f"status {reply.status_code}: {reply.text}")
            done += 1

    deadline = time.perf_counter() + 0.5
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


async def _operation_cpu_microseconds(schema: Any, count: int = 3000) -> float:
    """CPU time of one operation that touches no database: the fixed cost the extensions add per request."""
    document = "query Probe($b: Boolean!) { __typename @include(if: $b) }"
    for _ in range(100):
        await schema.execute(document, variable_values={"b": True})
    started = time.process_time()
    for _ in range(count):
        result = await schema.execute(document, variable_values={"b": True})
    if result.errors:
        raise RuntimeError(f"the probe fails: {result.errors}")
    return (time.process_time() - started) / count * 1e6


async def _limiter_rate(runtime: Any, seconds: float) -> float:
    from service.kit.ratelimit import Limits, RateLimiter  # noqa: PLC0415

    limiter = RateLimiter(runtime.redis, Limits(enabled=True, window_seconds=60, per_person=10**9, per_address=10**9))
    person = uuid.uuid4()
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        await limiter.hit("bench.hit", person_id=person, address="203.0.113.7")
        done += 1
    return done / (time.perf_counter() - started)


async def child(variant: str, database_url: str, redis_url: str, seconds: float, concurrency: int) -> dict[str, float]:
    import httpx  # noqa: PLC0415

    import mitmachen.app  # noqa: PLC0415
    from mitmachen.runtime import Runtime  # noqa: PLC0415
    from service.config import Environment, Settings  # noqa: PLC0415

    settings = Settings(
        environment=Environment.PRODUCTION,
        database_url=database_url,
        redis_url=redis_url,
        log_level="WARNING",
        rate_limit_enabled=variant == "limits",
    )
    if variant == "none":
        schema = _schema_without_limits()
        mitmachen.app.build_schema = lambda: schema  # type: ignore[attr-defined, assignment]
    runtime = Runtime.create(settings)
    rates: dict[str, float] = {}
    try:
        app = mitmachen.app.create_app(settings, runtime)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                for name, body in WORKLOADS.items():
                    rates[name] = await _drive(http, body, seconds, concurrency)
            rates["operation-cpu-us"] = await _operation_cpu_microseconds(app.state.graphql.schema)
        if variant == "limits":
            rates["rate-limited"] = await _limiter_rate(runtime, seconds)
    finally:
        await runtime.close()
    return rates


# ---------------------------------------------------------------- parent: services, database, rounds


async def _prepare(server_url: str, name: str) -> str:
    import asyncpg  # noqa: PLC0415
    from sqlalchemy import make_url  # noqa: PLC0415

    from service.config import Settings  # noqa: PLC0415
    from service.db.engine import create_engine, create_session_factory  # noqa: PLC0415
    from service.db.migrate import upgrade_with_engine  # noqa: PLC0415
    from service.towns.demo import seed_towns  # noqa: PLC0415

    server = await asyncpg.connect(server_url)
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.execute(f'CREATE DATABASE "{name}"')
    finally:
        await server.close()
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(Settings(database_url=url), pool_size=1)
    try:
        await upgrade_with_engine(engine)
        async with create_session_factory(engine)() as session:
            await seed_towns(session)
            await session.commit()
    finally:
        await engine.dispose()
    return url


async def _drop(server_url: str, name: str) -> None:
    import asyncpg  # noqa: PLC0415

    server = await asyncpg.connect(server_url)
    try:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await server.close()


def parent(args: argparse.Namespace) -> int:
    from importlib import metadata  # noqa: PLC0415

    from tests.support.services import test_services  # noqa: PLC0415

    name = f"mitmachen_bench_limits_{os.getpid()}"
    samples: dict[str, dict[str, list[float]]] = {"limits": {}, "none": {}}
    with test_services() as services:
        url = asyncio.run(_prepare(services.postgres_server_url, name))
        try:
            for round_number in range(args.rounds):
                for variant in ("limits", "none") if round_number % 2 == 0 else ("none", "limits"):
                    output = subprocess.run(  # noqa: S603 - this script with fixed arguments
                        [
                            sys.executable,
                            str(SCRIPT),
                            "--variant",
                            variant,
                            "--database-url",
                            url,
                            "--redis-url",
                            services.redis_url,
                            "--seconds",
                            str(args.seconds),
                            "--concurrency",
                            str(args.concurrency),
                        ],
                        check=True,
                        capture_output=True,
                        text=True,
                    ).stdout
                    rates: dict[str, float] = json.loads(output.strip().splitlines()[-1])
                    say(
                        f"round {round_number + 1} {variant:6} "
                        + "  ".join(f"{k} {v:,.0f}/s" for k, v in rates.items())
                    )
                    for workload, rate in rates.items():
                        samples[variant].setdefault(workload, []).append(rate)
        finally:
            asyncio.run(_drop(services.postgres_server_url, name))

    summary: dict[str, Any] = {}
    for workload in WORKLOADS:
        with_limits = statistics.mean(samples["limits"][workload])
        without = statistics.mean(samples["none"][workload])
        summary[workload] = {
            "limits_requests_per_second": round(with_limits, 1),
            "none_requests_per_second": round(without, 1),
            "ratio_limits_to_none": round(with_limits / without, 3),
        }
        say(f"{workload:6} limits {with_limits:,.0f}/s  none {without:,.0f}/s  ratio {with_limits / without:.3f}")
    cpu = {variant: statistics.median(samples[variant]["operation-cpu-us"]) for variant in ("limits", "none")}
    summary["operation_cpu_microseconds"] = {
        **{k: round(v, 1) for k, v in cpu.items()},
        "added": round(cpu["limits"] - cpu["none"], 1),
    }
    say(f"CPU per operation without database: limits {cpu['limits']:.0f} µs, none {cpu['none']:.0f} µs")
    limiter = statistics.mean(samples["limits"]["rate-limited"])
    summary["rate_limiter_hits_per_second"] = round(limiter, 1)
    say(f"rate limiter alone: {limiter:,.0f} checks/s ({1000 / limiter:.2f} ms each, one Redis round trip)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "limits",
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "uv run python bench/limits.py " + " ".join(sys.argv[1:]),
                "settings": {"seconds": args.seconds, "rounds": args.rounds, "concurrency": args.concurrency},
                "results": summary,
                "samples": samples,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "packages": {
                    name: metadata.version(name) for name in ("strawberry-graphql", "graphql-core", "starlette")
                },
            },
            indent=2,
        )
        + "\n"
    )
    say(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--variant", choices=["limits", "none"])
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    if args.variant:
        rates = asyncio.run(child(args.variant, args.database_url, args.redis_url, args.seconds, args.concurrency))
        print(json.dumps(rates))  # noqa: T201 - the parent reads the last line
        return 0
    return parent(args)


if __name__ == "__main__":
    raise SystemExit(main())
