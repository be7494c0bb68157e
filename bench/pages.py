"""Benchmark of the pages: how much a browser loads for a town's page, and what the page costs the server against
the GraphQL feed it is built on.

Run it from the repository root:

    uv run python bench/pages.py

Options: `--rounds 10` of `--requests 30` per target (sequential, one client, after `--warmup 30`);
`--compare CHECKOUT` measures the server of another checkout (say `main`, unpacked with
`git archive main | tar -x -C /tmp/base`) in the same rounds, on the same database, to compare code before and
after; `--keep-database NAME` seeds NAME once and keeps it for the next run.

What it does, in one run:

1. Creates its own database on the PostgreSQL server of `MITMACHEN_BENCH_DATABASE_URL` (else the local server,
   else an embedded one), migrates it, seeds the demo towns and makes Soest a busy town with the same bulk data
   as `bench/feed.py` (5 000 published ideas, supports, comments, answers).
2. Starts `mitmachen serve` with production settings (no login configured: an anonymous visitor).
3. Weight: loads `/orte/soest` (20 ideas) the way a first-time browser does, asking for gzip: the HTML, then
   every stylesheet and script it names, then the fonts the stylesheets name. Prints the bytes on the wire for
   each, and the total with and without the fonts (which a browser keeps for a year after the first page).
4. Speed: the page `/orte/soest` against the GraphQL feed `bench/feed.py` measures (the town's 20 ideas), one
   request at a time, ALTERNATING: in each round the page's requests and then the feed's (the next round the
   other way round), so that load coming and going on the shared machine lands on both. For each round the
   server process's CPU per request and the latency p50 of each; reported are the medians of the rounds and the
   median of the per-round ratios page/feed (CPU and p50).
5. Writes `bench/results/pages.json` (not with `--compare`) and drops the database (not with `--keep-database`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from sqlalchemy.engine import make_url

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

import feed  # noqa: E402 - the feed benchmark's data and server helpers, from this folder

TOWN_PAGE = "/orte/soest"
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
FONT = re.compile(r"url\('?([^')]+\.woff2)'?\)")


async def weight(client: httpx.AsyncClient) -> dict[str, int]:
    """Bytes on the wire (compressed where the server compresses) for the page and everything it loads."""
    sizes: dict[str, int] = {}

    async def load(path: str) -> str:
        response = await client.get(path, headers={"Accept-Encoding": "gzip"})
        response.raise_for_status()
        sizes[path] = response.num_bytes_downloaded
        return response.text

    page = await load(TOWN_PAGE)
    ideas = page.count('class="kern-card idea-card"')
    if ideas != 20:
        raise RuntimeError(f"the town page shows {ideas} ideas, expected 20")
    for asset in ASSET.findall(page):
        text = await load(asset)
        if asset.endswith(".css"):
            folder = asset.rsplit("/", 1)[0]
            for font in FONT.findall(text):
                await load(f"{folder}/{font}")
    return sizes


@dataclass
class Target:
    """A server to measure: this checkout's, or (with `--compare`) another checkout's on the same database."""

    name: str
    client: httpx.AsyncClient
    process: psutil.Process


def _requests(client: httpx.AsyncClient) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    feed_body = {"query": feed.FEED_QUERY}
    return {
        "page": lambda: client.get(TOWN_PAGE),
        "feed": lambda: client.post("/graphql", json=feed_body),
    }


async def _round(send: Callable[[], Awaitable[httpx.Response]], server: psutil.Process, requests: int) -> Round:
    latencies = []
    cpu_before = sum(server.cpu_times()[:2])
    for _ in range(requests):
        started = time.perf_counter()
        response = await send()
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
    cpu = sum(server.cpu_times()[:2]) - cpu_before
    return Round(cpu_ms=cpu / requests * 1000, latencies=latencies)


@dataclass
class Round:
    cpu_ms: float
    latencies: list[float]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


async def timings(targets: list[Target], *, rounds: int, requests: int, warmup: int) -> dict[str, Any]:
    """Page and feed of every server, alternating in rounds of `requests` each (who goes first alternates too), so
    that load coming and going on the machine lands on every side; ratios are taken within a round."""
    sends = {target.name: _requests(target.client) for target in targets}
    for target in targets:
        for send in sends[target.name].values():
            for _ in range(warmup):
                (await send()).raise_for_status()
    measured: dict[tuple[str, str], list[Round]] = {
        (target.name, kind): [] for target in targets for kind in ("page", "feed")
    }
    for number in range(rounds):
        order = targets if number % 2 == 0 else targets[::-1]
        for target in order:
            kinds = ("page", "feed") if number % 2 == 0 else ("feed", "page")
            for kind in kinds:
                measured[target.name, kind].append(await _round(sends[target.name][kind], target.process, requests))
    results: dict[str, Any] = {}
    for target in targets:
        page, feed_rounds = measured[target.name, "page"], measured[target.name, "feed"]
        speed: dict[str, Any] = {}
        for kind, taken in (("page", page), ("feed", feed_rounds)):
            latencies = sorted(value for each in taken for value in each.latencies)
            speed[kind] = {
                "p50_ms": statistics.median(latencies) * 1000,
                "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
                "cpu_ms_per_request": statistics.median(each.cpu_ms for each in taken),
                "cpu_ms_per_round": [round(each.cpu_ms, 3) for each in taken],
            }
        cpu_ratios = [p.cpu_ms / f.cpu_ms for p, f in zip(page, feed_rounds, strict=True) if f.cpu_ms > 0]
        p50_ratios = [p.p50_ms / f.p50_ms for p, f in zip(page, feed_rounds, strict=True)]
        speed["page_over_feed_cpu"] = statistics.median(cpu_ratios)
        speed["page_over_feed_p50"] = statistics.median(p50_ratios)
        speed["page_over_feed_cpu_per_round"] = [round(value, 3) for value in cpu_ratios]
        results[target.name] = speed
    if len(targets) == 2:
        this, other = (measured[targets[0].name, "page"], measured[targets[1].name, "page"])
        results["page_cpu_this_over_other"] = statistics.median(
            a.cpu_ms / b.cpu_ms for a, b in zip(this, other, strict=True) if b.cpu_ms > 0
        )
    return results


async def _database_exists(server: str, name: str) -> bool:
    connection = await asyncpg.connect(feed.database_url(server, make_url(server).database or "postgres"))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


async def _prepared_database(server: str, name: str, *, reuse: bool) -> bool:
    """Creates, migrates and seeds the database; with `reuse`, keeps one seeded before. True if it was made now."""
    if reuse and await _database_exists(server, name):
        return False
    await feed.create_database(server, name)
    url = feed.database_url(server, name)
    await feed.migrate_and_seed_towns(url)
    await feed.seed_busy_town(url)
    return True


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server, stack = feed.server_url()
    name = args.keep_database or f"mitmachen_bench_pages_{os.getpid()}"
    with stack, tempfile.TemporaryDirectory(prefix="mitmachen-bench-pages-") as logs:
        await _prepared_database(server, name, reuse=bool(args.keep_database))
        try:
            url = feed.database_url(server, name)
            env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
            env |= {
                "MITMACHEN_ENVIRONMENT": "production",
                "MITMACHEN_DATABASE_URL": url,
                "MITMACHEN_REDIS_URL": os.environ.get("MITMACHEN_BENCH_REDIS_URL", feed.DEFAULT_REDIS),
                "MITMACHEN_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
                "MITMACHEN_FAIR_ADMISSION": "false",
                "MITMACHEN_QUERY_BUDGET_ENABLED": "false",
            }
            # `-P`: the code comes from the checkout on PYTHONPATH, not from the working directory.
            argv = [sys.executable, "-P", "-m", "mitmachen", "serve", "--host", "127.0.0.1", "--port", "{port}"]
            checkouts = {"this": str(feed.ROOT), "other": args.compare} if args.compare else {"this": str(feed.ROOT)}
            async with contextlib.AsyncExitStack() as servers:
                targets = []
                for label, checkout in checkouts.items():
                    # Another checkout runs in this virtual environment, its own code first on the path.
                    app = await feed.start_server(label, argv, env | {"PYTHONPATH": checkout}, Path(logs))
                    servers.push_async_callback(feed.stop_server, app)
                    client = await servers.enter_async_context(
                        httpx.AsyncClient(base_url=app.url, trust_env=False, timeout=30)
                    )
                    targets.append(Target(label, client, psutil.Process(app.process.pid)))
                sizes = await weight(targets[0].client)
                speed = await timings(targets, rounds=args.rounds, requests=args.requests, warmup=args.warmup)
        finally:
            if not args.keep_database:
                await feed.drop_database(server, name)
    fonts = sum(size for path, size in sizes.items() if path.endswith(".woff2"))
    total = sum(sizes.values())
    this = speed["this"]
    return {
        "bytes": sizes,
        "total_bytes": total,
        "total_bytes_without_fonts": total - fonts,
        "rounds": args.rounds,
        "requests_per_round": args.requests,
        "speed": {"page": this["page"], "feed": this["feed"]},
        "page_over_feed_cpu": this["page_over_feed_cpu"],
        "page_over_feed_p50": this["page_over_feed_p50"],
        "servers": {label: numbers for label, numbers in speed.items() if label in {"this", "other"}},
        **({"page_cpu_this_over_other": speed["page_cpu_this_over_other"]} if args.compare else {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=30, help="per target and round")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--compare", metavar="CHECKOUT", help="another checkout to measure in the same rounds")
    parser.add_argument("--keep-database", metavar="NAME", help="seed NAME once and keep it for the next run")
    args = parser.parse_args()
    if args.compare:
        args.compare = str(Path(args.compare).resolve())
    result = asyncio.run(run(args))
    feed.say("bytes on the wire for a first visit of the town page (gzip where compressed):")
    for path, size in result["bytes"].items():
        feed.say(f"  {size / 1024:7.1f} kB  {path}")
    feed.say(f"  {result['total_bytes_without_fonts'] / 1024:7.1f} kB  without fonts (target 60 kB)")
    feed.say(f"  {result['total_bytes'] / 1024:7.1f} kB  with the three font faces")
    feed.say(f"{args.rounds} rounds of {args.requests} requests, page and feed alternating; medians of the rounds:")
    for label, speed in result["servers"].items():
        for name in ("page", "feed"):
            numbers = speed[name]
            feed.say(
                f"{label} {name}: p50 {numbers['p50_ms']:.1f} ms, p95 {numbers['p95_ms']:.1f} ms, "
                f"server CPU {numbers['cpu_ms_per_request']:.2f} ms per request"
            )
        feed.say(
            f"{label} page / feed: CPU {speed['page_over_feed_cpu']:.2f}x, p50 {speed['page_over_feed_p50']:.2f}x "
            f"(target 1.5x); CPU per round {speed['page_over_feed_cpu_per_round']}"
        )
    if args.compare:
        feed.say(f"page CPU this / other checkout, median of the rounds: {result['page_cpu_this_over_other']:.3f}x")
    else:
        out = SCRIPT.parent / "results" / "pages.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
