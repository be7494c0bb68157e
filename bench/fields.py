"""Micro-benchmark of executing GraphQL fields in-process: what the town page's document costs against the feed's,
and what the town page's connection fields (surveys, offers) add to `town { id }`.

Run it from the repository root:

    uv run python bench/fields.py

Options: `--rounds 15` of `--executions 100` per variant; `--database NAME` runs on a database seeded before (for
example one kept by `bench/pages.py --keep-database NAME`), else it creates, seeds (as `bench/feed.py`'s busy
Soest) and drops its own; `--checkout DIR` measures the code of another checkout (say `main`, unpacked with
`git archive main | tar -x -C /tmp/base`): one process runs one checkout, so compare two by running the script
for each in turn, several times.

Each execution goes through `schema.execute` with a context built as a request's (an anonymous caller, its own
unit of work and dataloaders), then the unit of work is closed, as the view does. The variants run ALTERNATING:
each round runs every variant once (`--executions` times each), in a rotating order, so that load coming and
going on this shared machine lands on every variant. Printed: CPU microseconds per execution (process time, the
median of the rounds) of each variant, and each variant's median per-round ratio to the feed's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))
_checkout = sys.argv[sys.argv.index("--checkout") + 1] if "--checkout" in sys.argv[:-1] else str(SCRIPT.parent.parent)
sys.path.insert(0, str(Path(_checkout).resolve()))

import feed  # noqa: E402 - the feed benchmark's data helpers, from this folder

TOWN = {"slug": "soest", "first": 20, "after": None, "filter": None, "orderBy": None}


def variants() -> dict[str, tuple[str, Mapping[str, object]]]:
    from web.documents import Documents  # noqa: PLC0415 - after the path is set

    documents = Documents()
    return {
        "feed": (feed.FEED_QUERY, {}),
        "page": (documents["town"], TOWN),
        "town { id }": ('{ town(slug: "soest") { id } }', {}),
        "+ offers": ('{ town(slug: "soest") { id offers(first: 10) { edges { node { id title } } } } }', {}),
        "+ surveys": (
            '{ town(slug: "soest") { id surveys(first: 10, status: PUBLISHED) { edges { node { id title } } } } }',
            {},
        ),
        "+ both": (
            '{ town(slug: "soest") { id surveys(first: 10, status: PUBLISHED) { edges { node { id title } } } '
            "offers(first: 10) { edges { node { id title } } } } }",
            {},
        ),
    }


def _request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "headers": [(b"host", b"127.0.0.1")],
            "client": ("127.0.0.1", 40000),
            "query_string": b"",
        }
    )


async def measure(url: str, *, rounds: int, executions: int, warmup: int) -> dict[str, Any]:
    os.environ |= {
        "MITMACHEN_ENVIRONMENT": "production",
        "MITMACHEN_DATABASE_URL": url,
        "MITMACHEN_REDIS_URL": os.environ.get("MITMACHEN_BENCH_REDIS_URL", feed.DEFAULT_REDIS),
        "MITMACHEN_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
        "MITMACHEN_QUERY_BUDGET_ENABLED": "false",
    }
    from mitmachen.runtime import Runtime  # noqa: PLC0415 - after the environment is set
    from schema.context import Context  # noqa: PLC0415
    from schema.loaders import Loaders  # noqa: PLC0415
    from schema.root import build_schema  # noqa: PLC0415
    from service.auth.viewer import ANONYMOUS  # noqa: PLC0415
    from service.config import load_settings  # noqa: PLC0415
    from service.kit.ratelimit import Limits, RateLimiter  # noqa: PLC0415
    from service.kit.unit_of_work import UnitOfWork  # noqa: PLC0415

    settings = load_settings()
    runtime = Runtime.create(settings)
    schema = build_schema()
    rate_limiter = RateLimiter(runtime.redis, Limits.from_settings(settings))
    request = _request()
    chosen = variants()

    async def run(document: str, variables: Mapping[str, object]) -> None:
        uow = UnitOfWork(runtime.session_factory, runtime.job_sender)
        try:
            context = Context(
                request=request,
                settings=settings,
                uow=uow,
                viewer=ANONYMOUS,
                loaders=Loaders(uow, ANONYMOUS),
                request_id="bench",
                rate_limiter=rate_limiter,
                client_address="127.0.0.1",
            )
            result = await schema.execute(document, variable_values=dict(variables), context_value=context)
            if result.errors:
                raise RuntimeError(result.errors)
        finally:
            await uow.close()

    try:
        for document, variables in chosen.values():
            for _ in range(warmup):
                await run(document, variables)
        taken: dict[str, list[float]] = {name: [] for name in chosen}
        names = list(chosen)
        for number in range(rounds):
            shift = number % len(names)
            for name in names[shift:] + names[:shift]:
                document, variables = chosen[name]
                started = time.process_time()
                for _ in range(executions):
                    await run(document, variables)
                taken[name].append((time.process_time() - started) / executions * 1e6)
    finally:
        await runtime.close()
    return {
        name: {
            "cpu_us": statistics.median(values),
            "over_feed": statistics.median(v / f for v, f in zip(values, taken["feed"], strict=True)),
        }
        for name, values in taken.items()
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server, stack = feed.server_url()
    with stack:
        name = args.database or f"mitmachen_bench_fields_{os.getpid()}"
        if not args.database:
            await feed.create_database(server, name)
        try:
            url = feed.database_url(server, name)
            if not args.database:
                await feed.migrate_and_seed_towns(url)
                await feed.seed_busy_town(url)
            return await measure(url, rounds=args.rounds, executions=args.executions, warmup=args.warmup)
        finally:
            if not args.database:
                await feed.drop_database(server, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--executions", type=int, default=100, help="per variant and round")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database", metavar="NAME", help="a database seeded before (kept)")
    parser.add_argument("--checkout", metavar="DIR", help="measure the code of this checkout (read at start)")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    feed.say(f"{args.rounds} rounds of {args.executions} executions per variant, alternating; medians of the rounds:")
    for name, numbers in result.items():
        feed.say(f"  {name:12} {numbers['cpu_us']:8.0f} µs CPU per execution  {numbers['over_feed']:.2f}x the feed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
