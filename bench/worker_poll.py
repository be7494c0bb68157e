"""What an idle worker costs at each poll delay: Redis commands per second and the worker's CPU.

Run it from the repository root:

    uv run python bench/worker_poll.py

Options: `--polls 0.5 0.05` (the `MITMACHEN_WORKER_POLL_SECONDS` values, measured in turn), `--seconds 20`.

Creates its own database (as `bench/moderation.py` does), starts a Redis server of its own (`redis-server` on a free
port, so that nobody else's commands are counted), then for each poll delay starts one `mitmachen worker`, waits
for its start-up heartbeat, lets it idle for `--seconds` and reads the Redis server's command counts and the
worker's CPU time over that span. Writes `bench/results/worker_poll.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

from moderation import (  # noqa: E402 - after the path is set
    IDENTITY_SECRET,
    LOCAL_SERVER,
    ROOT,
    cpu_seconds,
    database_url,
    free_port,
    migrate_and_seed_towns,
    recreate_database,
    say,
    start,
    stop,
    wait_for_worker,
)

RESULTS = ROOT / "bench" / "results" / "worker_poll.json"


async def command_counts(url: str) -> dict[str, int]:
    from redis.asyncio import Redis  # noqa: PLC0415

    client = Redis.from_url(url)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


async def idle_worker(poll: float, *, dsn: str, redis_url: str, seconds: float, log_dir: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "MITMACHEN_ENVIRONMENT": "production",
        "MITMACHEN_DATABASE_URL": dsn,
        "MITMACHEN_REDIS_URL": redis_url,
        "MITMACHEN_IDENTITY_SECRET": IDENTITY_SECRET,
        "MITMACHEN_LOG_LEVEL": "WARNING",
        "MITMACHEN_WORKER_POLL_SECONDS": str(poll),
    }
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DELETE FROM worker_heartbeats")  # so that this worker's own start-up is awaited
    finally:
        await connection.close()
    worker = await start(f"worker-{poll}", [sys.executable, "-m", "mitmachen", "worker"], env, log_dir)
    try:
        await wait_for_worker(dsn, worker, log_dir / f"worker-{poll}.log")
        await asyncio.sleep(2)  # start-up jobs done
        before, cpu_before, began = await command_counts(redis_url), cpu_seconds(worker.pid), time.monotonic()
        await asyncio.sleep(seconds)
        after, cpu_after, took = await command_counts(redis_url), cpu_seconds(worker.pid), time.monotonic() - began
    finally:
        await stop(worker)
    calls = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    calls.pop("info", None)
    return {
        "poll_seconds": poll,
        "redis_commands_per_second": round(sum(calls.values()) / took, 1),
        "by_command_per_second": {name: round(count / took, 2) for name, count in sorted(calls.items())},
        "worker_cpu_percent_of_a_core": round((cpu_after - cpu_before) * 100 / took, 2),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    name = f"mitmachen_bench_worker_poll_{os.getpid()}"
    dsn = database_url(server, name)
    redis_server = shutil.which("redis-server") or shutil.which("valkey-server")
    if redis_server is None:
        raise SystemExit("needs redis-server (or valkey-server) on the PATH")
    port = free_port()
    redis = await asyncio.create_subprocess_exec(
        redis_server, "--port", str(port), "--save", "", "--appendonly", "no", stdout=asyncio.subprocess.DEVNULL
    )
    redis_url = f"redis://127.0.0.1:{port}/0"
    await recreate_database(server, name)
    log_dir = Path(tempfile.mkdtemp(prefix="mitmachen-bench-worker-poll-"))
    try:
        await migrate_and_seed_towns(dsn)
        measured = []
        for poll in args.polls:
            say(f"idle worker, poll every {poll} s, for {args.seconds} s")
            measured.append(
                await idle_worker(poll, dsn=dsn, redis_url=redis_url, seconds=args.seconds, log_dir=log_dir)
            )
        return {"benchmark": "idle worker: Redis commands and CPU by poll delay", "runs": measured}
    finally:
        redis.terminate()
        await redis.wait()
        await recreate_database(server, name, drop_only=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--polls", type=float, nargs="+", default=[0.5, 0.05])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    say(json.dumps(result["runs"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
