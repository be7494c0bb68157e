"""Benchmark of the pages: how much a browser loads for a town's page, and what the page costs the server against
the GraphQL feed it is built on.

Run it from the repository root:

    uv run python bench/pages.py

Options: `--requests 300` per target (sequential, one client, after `--warmup 30`).

What it does, in one run:

1. Creates its own database on the PostgreSQL server of `MITMACHEN_BENCH_DATABASE_URL` (else the local server,
   else an embedded one), migrates it, seeds the demo towns and makes Soest a busy town with the same bulk data
   as `bench/feed.py` (5 000 published ideas, supports, comments, answers).
2. Starts `mitmachen serve` with production settings (no login configured: an anonymous visitor).
3. Weight: loads `/orte/soest` (20 ideas) the way a first-time browser does, asking for gzip: the HTML, then
   every stylesheet and script it names, then the fonts the stylesheets name. Prints the bytes on the wire for
   each, and the total with and without the fonts (which a browser keeps for a year after the first page).
4. Speed: the page `/orte/soest` against the GraphQL feed `bench/feed.py` measures (the town's 20 ideas), one
   request at a time: latency p50/p95 and the server process's CPU per request; the ratio page/feed.
5. Writes `bench/results/pages.json` and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

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


async def timings(client: httpx.AsyncClient, pid: int, *, requests: int, warmup: int) -> dict[str, dict[str, float]]:
    feed_body = {"query": feed.FEED_QUERY}
    targets = {
        "page": lambda: client.get(TOWN_PAGE),
        "feed": lambda: client.post("/graphql", json=feed_body),
    }
    server = psutil.Process(pid)
    results = {}
    for name, send in targets.items():
        for _ in range(warmup):
            (await send()).raise_for_status()
        latencies = []
        cpu_before = sum(server.cpu_times()[:2])
        for _ in range(requests):
            started = time.perf_counter()
            response = await send()
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
        cpu = sum(server.cpu_times()[:2]) - cpu_before
        latencies.sort()
        results[name] = {
            "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
            "cpu_ms_per_request": cpu / requests * 1000,
        }
    return results


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server, stack = feed.server_url()
    name = f"mitmachen_bench_pages_{os.getpid()}"
    with stack, tempfile.TemporaryDirectory(prefix="mitmachen-bench-pages-") as logs:
        await feed.create_database(server, name)
        try:
            url = feed.database_url(server, name)
            await feed.migrate_and_seed_towns(url)
            await feed.seed_busy_town(url)
            env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
            env |= {
                "MITMACHEN_ENVIRONMENT": "production",
                "MITMACHEN_DATABASE_URL": url,
                "MITMACHEN_REDIS_URL": os.environ.get("MITMACHEN_BENCH_REDIS_URL", feed.DEFAULT_REDIS),
                "MITMACHEN_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
                "MITMACHEN_FAIR_ADMISSION": "false",
                "MITMACHEN_QUERY_BUDGET_ENABLED": "false",
            }
            app = await feed.start_server(
                "pages",
                [sys.executable, "-m", "mitmachen", "serve", "--host", "127.0.0.1", "--port", "{port}"],
                env,
                Path(logs),
            )
            try:
                async with httpx.AsyncClient(base_url=app.url, trust_env=False, timeout=30) as client:
                    sizes = await weight(client)
                    speed = await timings(client, app.process.pid, requests=args.requests, warmup=args.warmup)
            finally:
                await feed.stop_server(app)
        finally:
            await feed.drop_database(server, name)
    fonts = sum(size for path, size in sizes.items() if path.endswith(".woff2"))
    total = sum(sizes.values())
    return {
        "bytes": sizes,
        "total_bytes": total,
        "total_bytes_without_fonts": total - fonts,
        "speed": speed,
        "page_over_feed_cpu": speed["page"]["cpu_ms_per_request"] / speed["feed"]["cpu_ms_per_request"],
        "page_over_feed_p50": speed["page"]["p50_ms"] / speed["feed"]["p50_ms"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    result = asyncio.run(run(parser.parse_args()))
    feed.say("bytes on the wire for a first visit of the town page (gzip where compressed):")
    for path, size in result["bytes"].items():
        feed.say(f"  {size / 1024:7.1f} kB  {path}")
    feed.say(f"  {result['total_bytes_without_fonts'] / 1024:7.1f} kB  without fonts (target 60 kB)")
    feed.say(f"  {result['total_bytes'] / 1024:7.1f} kB  with the three font faces")
    for name, numbers in result["speed"].items():
        feed.say(
            f"{name}: p50 {numbers['p50_ms']:.1f} ms, p95 {numbers['p95_ms']:.1f} ms, "
            f"server CPU {numbers['cpu_ms_per_request']:.2f} ms per request"
        )
    feed.say(
        f"page / feed: CPU {result['page_over_feed_cpu']:.2f}x, p50 {result['page_over_feed_p50']:.2f}x (target 1.5x)"
    )
    out = SCRIPT.parent / "results" / "pages.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
