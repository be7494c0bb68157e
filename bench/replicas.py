"""Benchmark: the anonymous town feed with 0 and with 1 streaming replica, in one run.

Run it from the repository root:

    uv run python bench/replicas.py [--seconds 10 --warmup 2 --concurrency 32 --rounds 2]

It starts an embedded PostgreSQL primary of its own, fills it with the busy town of `bench/feed.py`, makes a
streaming replica of it (`pg_basebackup`, `EmbeddedPostgres.clone_from`), then measures the feed of `bench/feed.py`
(anonymous, `town(slug: "soest") { ideas(first: 20, orderBy: MOST_SUPPORTED) … }`) against one `mitmachen serve`
process without and with `MITMACHEN_DATABASE_REPLICA_URLS`, alternating, `--rounds` times each. For each it prints
requests/s, p50/p95, and the CPU time per request of the API process, of the primary's and of the replica's
PostgreSQL processes (each server's postmaster and its children). Both database servers, the API and the load
generator share this machine's cores: the throughput says little about a cluster; the CPU columns show where the
database work is done. Results go to `bench/results/replicas.json`.

`MITMACHEN_BENCH_REDIS_URL` (default `redis://127.0.0.1:6379/15`) is handed to the app, which needs one to start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psutil

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SCRIPT.parent))

import feed  # noqa: E402 - bench/feed.py, found once its folder is on the path

from mitmachen.embedded import EmbeddedPostgres, free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "replicas.json"


def _tree(pid: int) -> list[psutil.Process]:
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def _postmaster(server: EmbeddedPostgres) -> int:
    return int((server.data / "postmaster.pid").read_text().splitlines()[0])


@contextlib.contextmanager
def _cpu(pids: dict[str, int]) -> Iterator[dict[str, float]]:
    """CPU seconds spent meanwhile by each named process and its children (backends that ended are not counted)."""
    spent: dict[str, float] = {}
    before = {name: feed._cpu_seconds(_tree(pid)) for name, pid in pids.items()}
    yield spent
    spent.update({name: feed._cpu_seconds(_tree(pid)) - before[name] for name, pid in pids.items()})


async def _measure(
    args: argparse.Namespace, url: str, replicas: list[str], logs: Path, pids: dict[str, int]
) -> dict[str, Any]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    app_env = {
        **env,
        "MITMACHEN_ENVIRONMENT": "production",
        "MITMACHEN_IDENTITY_SECRET": "bench-identity-secret-0123456789abcdef",
        "MITMACHEN_DATABASE_URL": url,
        "MITMACHEN_DATABASE_REPLICA_URLS": ",".join(replicas),
        "MITMACHEN_REDIS_URL": os.environ.get("MITMACHEN_BENCH_REDIS_URL", feed.DEFAULT_REDIS),
        "MITMACHEN_LOG_LEVEL": "WARNING",
        # One client address sends everything: neither its budget nor its share of the slots should be measured.
        "MITMACHEN_QUERY_BUDGET_ENABLED": "false",
        "MITMACHEN_FAIR_ADMISSION": "false",
    }
    argv = [sys.executable, "-m", "mitmachen", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    server = await feed.start_server(f"api-{len(replicas)}", argv, app_env, logs)
    try:
        body = json.dumps({"query": feed.FEED_QUERY}).encode()
        with _cpu({**pids, "api": server.process.pid}) as cpu:
            measured = await feed.measure(
                server,
                body,
                warmup=args.warmup,
                seconds=args.seconds,
                concurrency=args.concurrency,
                local_postgres=False,
            )
        if measured.failures:
            feed.say_server_complaints(server)
    finally:
        await feed.stop_server(server)
    # The CPU window here includes the warm-up; per request it is spread over every request answered meanwhile.
    answered = max(1, round(measured.requests_per_second * (args.seconds + args.warmup)))
    return {
        "replicas": len(replicas),
        "requests_per_second": measured.requests_per_second,
        "p50_ms": measured.p50_ms,
        "p95_ms": measured.p95_ms,
        "errors": measured.errors,
        **{f"{name}_cpu_ms_per_request": round(spent / answered * 1000, 3) for name, spent in cpu.items()},
    }


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="mitmachen-bench-replicas-") as scratch:
        primary = EmbeddedPostgres(Path(scratch) / "primary", port=free_port())
        replica = EmbeddedPostgres(Path(scratch) / "replica", port=free_port())
        primary.start()
        try:
            url = primary.url()
            started = time.perf_counter()
            await feed.migrate_and_seed_towns(url)
            sizes = await feed.seed_busy_town(url)
            feed.say(f"seeded in {time.perf_counter() - started:.1f} s: {json.dumps(sizes)}")
            replica.clone_from(primary)
            replica.start()
            pids = {"primary": _postmaster(primary), "replica": _postmaster(replica)}
            rows = []
            for round_number in range(args.rounds):
                for replicas in ([], [replica.url()]):
                    feed.say(f"round {round_number + 1}: {len(replicas)} replica(s)")
                    rows.append(await _measure(args, url, replicas, Path(scratch), pids))
                    feed.say(f"  {json.dumps(rows[-1])}")
        finally:
            replica.stop()
            primary.stop()
    _report(rows)
    RESULTS.write_text(
        json.dumps({"settings": vars(args), "sizes": sizes, "machine": feed.machine(), "rows": rows}, indent=2) + "\n"
    )


def _report(rows: list[dict[str, Any]]) -> None:
    feed.say("\n| replicas | req/s | p50 ms | p95 ms | API CPU ms/req | primary CPU ms/req | replica CPU ms/req |")
    feed.say("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        feed.say(
            f"| {row['replicas']} | {row['requests_per_second']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['api_cpu_ms_per_request']} | {row['primary_cpu_ms_per_request']} | "
            f"{row['replica_cpu_ms_per_request']} |"
        )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    asyncio.run(run(parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
