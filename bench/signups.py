"""Benchmark of shift sign-ups: many people signing up at once, through the real API.

Run it from the repository root:

    uv run python bench/signups.py

Options: `--people 1000`, `--places 10`, `--shifts 100` (for the spread case), `--keep-database`.

Before and after in one run: `--before DIR --rounds 3` runs the API from DIR (another tree, e.g. main unpacked
with `git archive main | tar -x -C DIR`) and from `--code` (this tree) in turn, `--rounds` pairs, each round on a
fresh database and Redis, and prints the medians of each side and their ratios (after / before): on a shared,
noisy machine only rounds that alternate within one run compare.

What it does, in one run (the database, issuer and API helpers are those of `bench/moderation.py`):

1. Creates its own database, migrates it, seeds the demo towns, and writes a verified organisation with one
   published offer and its shifts (one shift with `--places` places, and `--shifts` more with plenty of room).
2. Starts the API (`python -m mitmachen serve`, production settings, one process) and makes every person known
   to it (one `me` query each), so that first-login writes are not measured.
3. Contended: all `--people` send `signUpForShift` for the SAME shift at once (every request in flight together).
   Every sign-up takes that shift's row lock, so they run one after the other. Checks that exactly `--places`
   are confirmed and the rest waitlisted with gap-free positions.
4. Spread: the same number of people, each signing up for one of `--shifts` shifts, all at once: the floor that
   the shift lock is compared with. The client keeps at most 200 connections open in both cases (as a load
   balancer would), on a plain HTTP/1.1 client that costs little CPU next to the API's.
5. Reports sign-ups per second, failures by code, response times (p50, p95, max), the API's and the client's CPU,
   and how many of the API's database connections were, on average, running a statement, waiting for a lock,
   idle in a transaction (held while the API does something else) or idle (sampled from `pg_stat_activity`
   every 50 ms), and writes `bench/results/signups.json`.

All simulated people call from 127.0.0.1, so the per-address rate limit is raised for the API under test; every
call is still counted in Redis as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

from moderation import (  # noqa: E402 - after the path is set
    AUDIENCE,
    CONNECTIONS,
    IDENTITY_SECRET,
    LOCAL_SERVER,
    ME,
    ROOT,
    Connection,
    Issuer,
    claim_redis,
    cpu_seconds,
    database_url,
    free_port,
    migrate_and_seed_towns,
    recreate_database,
    release_redis,
    say,
    serve_issuer,
    start,
    stop,
    summary,
    versions,
    wait_for_api,
)
from strawberry.relay import to_base64  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "signups.json"
SIGN_UP = """
mutation SignUp($id: ID!) {
  signUpForShift(shiftId: $id) { __typename ... on SignedUpForShift { signUp { status waitlistPosition } } }
}
"""


async def seed_offer(dsn: str, *, places: int, spread_shifts: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """A verified organisation in Soest with a published offer, one contended shift and `spread_shifts` roomy ones."""
    connection = await asyncpg.connect(dsn)
    try:
        town_id, area_id = await connection.fetchrow(
            "SELECT t.id, a.id FROM towns t JOIN strategy_areas a ON a.town_id = t.id WHERE t.slug = 'soest' LIMIT 1"
        )
        organisation_id, offer_id = uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO organisations (id, town_id, name, description, verified_at) "
            "VALUES ($1, $2, 'Tafel Soest e. V.', '', now())",
            organisation_id,
            town_id,
        )
        await connection.execute(
            "INSERT INTO volunteer_offers (id, organisation_id, town_id, strategy_area_id, title, description, "
            "address, skills, accessibility_notes, contact, confirmation_hours, status, published_at) "
            "VALUES ($1, $2, $3, $4, 'Lebensmittel ausgeben', 'Montags bei der Tafel helfen.', '', '{}', '', '', "
            "24, 'published', now())",
            offer_id,
            organisation_id,
            town_id,
            area_id,
        )
        shift_ids = [uuid.uuid4() for _ in range(spread_shifts + 1)]
        for number, shift_id in enumerate(shift_ids):
            # Each shift on its own day, so that nobody's two sign-ups could overlap.
            await connection.execute(
                "INSERT INTO volunteer_shifts (id, offer_id, town_id, starts_at, ends_at, capacity, places_taken, "
                "last_position) VALUES ($1, $2, $3, now() + make_interval(days => $4 + 1), "
                "now() + make_interval(days => $4 + 1, hours => 3), $5, 0, 0)",
                shift_id,
                offer_id,
                town_id,
                number,
                places if number == 0 else 10000,
            )
        return shift_ids[0], shift_ids[1:]
    finally:
        await connection.close()


async def burst(url: str, requests: list[tuple[str, uuid.UUID]]) -> tuple[float, list[float], list[dict[str, Any]]]:
    """Every request at once; returns (seconds from first send to last answer, response times in ms, answers).

    Like a load balancer with 200 connections to the API: each connection takes the next waiting request in
    arrival order. Response times count from the moment everyone sent, the wait for a connection included.
    """
    waiting: asyncio.Queue[tuple[int, str, uuid.UUID]] = asyncio.Queue()
    for number, (token, shift_id) in enumerate(requests):
        waiting.put_nowait((number, token, shift_id))
    times: list[float] = [0.0] * len(requests)
    answers: list[dict[str, Any]] = [{} for _ in requests]

    async def serve_queue() -> None:
        connection = Connection(url)
        try:
            while not waiting.empty():
                number, token, shift_id = waiting.get_nowait()
                payload = {"query": SIGN_UP, "variables": {"id": to_base64("Shift", str(shift_id))}}
                try:
                    answers[number] = await connection.post(payload, token)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                    await connection.close()
                    answers[number] = {"errors": [{"message": type(error).__name__}]}
                times[number] = (time.perf_counter() - began) * 1000
        finally:
            await connection.close()

    began = time.perf_counter()
    await asyncio.gather(*(serve_queue() for _ in range(CONNECTIONS)))
    return time.perf_counter() - began, times, answers


async def watch_connections(dsn: str, database: str, stop_event: asyncio.Event) -> dict[str, float]:
    """Samples the API's database connections every 50 ms: on average how many were in which state."""
    connection = await asyncpg.connect(dsn)
    seen: Counter[str] = Counter()
    samples = 0
    try:
        while not stop_event.is_set():
            rows = await connection.fetch(
                "SELECT state, wait_event_type FROM pg_stat_activity WHERE datname = $1 AND application_name = "
                "'mitmachen'",
                database,
            )
            samples += 1
            for row in rows:
                waiting = " (lock wait)" if row["wait_event_type"] == "Lock" else ""
                seen[f"{row['state']}{waiting}"] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), 0.05)
    finally:
        await connection.close()
    return {state: round(count / max(samples, 1), 2) for state, count in sorted(seen.items())}


async def measured_burst(
    url: str, requests: list[tuple[str, uuid.UUID]], *, api_pid: int, dsn: str, database: str
) -> dict[str, Any]:
    """One burst with the API's and the client's CPU time and the database connections' states alongside."""
    api_cpu_before, client_cpu_before = cpu_seconds(api_pid), time.process_time()
    stop_event = asyncio.Event()
    watcher = asyncio.create_task(watch_connections(dsn, database, stop_event))
    took, times, answers = await burst(url, requests)
    stop_event.set()
    result = outcome(took, times, answers, cpu_seconds(api_pid) - api_cpu_before)
    result["client_cpu_seconds"] = round(time.process_time() - client_cpu_before, 1)
    result["api_database_connections"] = await watcher
    return result


async def contended_facts(dsn: str, shift_id: uuid.UUID) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT status, position FROM volunteer_sign_ups WHERE shift_id = $1 ORDER BY position", shift_id
        )
        taken = await connection.fetchval("SELECT places_taken FROM volunteer_shifts WHERE id = $1", shift_id)
    finally:
        await connection.close()
    return {
        "confirmed": sum(1 for row in rows if row["status"] == "confirmed"),
        "waitlisted": sum(1 for row in rows if row["status"] == "waitlisted"),
        "positions_gap_free": [row["position"] for row in rows] == list(range(1, len(rows) + 1)),
        "places_taken": taken,
    }


def _failure(answer: dict[str, Any]) -> str | None:
    """None for a sign-up, else what went wrong: an error code, a result type, or the transport error."""
    result = (answer.get("data") or {}).get("signUpForShift") or {}
    if result.get("__typename") == "SignedUpForShift":
        return None
    for error in answer.get("errors") or []:
        return str((error.get("extensions") or {}).get("code") or error.get("message"))
    return str(result.get("__typename"))


def outcome(took: float, times: list[float], answers: list[dict[str, Any]], cpu: float) -> dict[str, Any]:
    failures = Counter(failure for failure in map(_failure, answers) if failure is not None)
    ok = len(answers) - sum(failures.values())
    return {
        "requests": len(answers),
        "signed_up": ok,
        "failed": dict(failures),
        "seconds": round(took, 2),
        "sign_ups_per_second": round(ok / took, 1),
        "response_ms": summary(times),
        "api_cpu_ms_per_sign_up": round(cpu * 1000 / max(ok, 1), 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    redis_url = await claim_redis(os.environ.get("MITMACHEN_BENCH_REDIS_URL"))
    name = f"mitmachen_bench_signups_{os.getpid()}"
    dsn = database_url(server, name)
    say(f"database {name}, redis {redis_url}")
    await recreate_database(server, name)
    api: asyncio.subprocess.Process | None = None
    issuer_server: Any = None
    issuer_task: asyncio.Task[None] | None = None
    try:
        await migrate_and_seed_towns(dsn)
        contended, spread = await seed_offer(dsn, places=args.places, spread_shifts=args.shifts)
        issuer = Issuer(free_port())
        issuer_server, issuer_task = await serve_issuer(issuer)
        port = free_port()
        env = {
            **os.environ,
            "MITMACHEN_ENVIRONMENT": "production",
            "MITMACHEN_DATABASE_URL": dsn,
            "MITMACHEN_REDIS_URL": redis_url,
            "MITMACHEN_OIDC_ISSUER": issuer.url,
            "MITMACHEN_OIDC_AUDIENCE": AUDIENCE,
            "MITMACHEN_IDENTITY_SECRET": IDENTITY_SECRET,
            "MITMACHEN_LOG_LEVEL": "WARNING",
            # Every simulated person calls from 127.0.0.1: with fair admission they would share one client's slots.
            "MITMACHEN_FAIR_ADMISSION": "false",
            # Every simulated person calls from 127.0.0.1; in production they come from a thousand addresses. The
            # per-address limit is raised so that it does not refuse them, and every call is still counted in Redis.
            "MITMACHEN_RATE_LIMIT_PER_ADDRESS": "1000000",
        }
        log_dir = Path(tempfile.mkdtemp(prefix="mitmachen-bench-signups-"))
        api = await start(
            "api", [sys.executable, "-m", "mitmachen", "serve", "--port", str(port)], env, log_dir, code=args.code
        )
        url = f"http://127.0.0.1:{port}"
        await wait_for_api(url, api, log_dir / "api.log")
        first = [issuer.token(f"volunteer-{n}", f"Helferin {n}") for n in range(args.people)]
        second = [issuer.token(f"helper-{n}", f"Helfer {n}") for n in range(args.people)]
        async with httpx.AsyncClient(base_url=url, timeout=300, trust_env=False) as client:
            say(f"warming up: {2 * args.people} people")
            for token in first + second:
                await client.post("/graphql", json={"query": ME}, headers={"authorization": f"Bearer {token}"})
        say(f"contended: {args.people} sign-ups for one shift with {args.places} places, all at once")
        contended_result = await measured_burst(
            url, [(token, contended) for token in first], api_pid=api.pid, dsn=dsn, database=name
        )
        contended_result["check"] = await contended_facts(dsn, contended)
        say(f"spread: {args.people} sign-ups over {len(spread)} shifts, all at once")
        pairs = [(token, spread[number % len(spread)]) for number, token in enumerate(second)]
        spread_result = await measured_burst(url, pairs, api_pid=api.pid, dsn=dsn, database=name)
        return {
            "benchmark": "signUpForShift: contended shift vs. sign-ups spread over many shifts",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": {
                "people": args.people,
                "places": args.places,
                "spread_shifts": len(spread),
                "api_processes": 1,
            },
            "contended": contended_result,
            "spread": spread_result,
            "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
            "versions": versions(),
            "logs": str(log_dir),
        }
    finally:
        if api is not None:
            await stop(api)
        if issuer_server is not None and issuer_task is not None:
            issuer_server.should_exit = True
            await issuer_task
        await release_redis(redis_url)
        if not args.keep_database:
            await recreate_database(server, name, drop_only=True)


CASES = ("contended", "spread")
MEASURES = ("sign_ups_per_second", "api_cpu_ms_per_sign_up")
SIDES = ("before", "after")


def comparison(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per side and case of sign-ups/s and API CPU per sign-up, and the ratio after / before."""
    table: dict[str, Any] = {}
    for case in CASES:
        row: dict[str, Any] = {}
        for measure in MEASURES:
            sides = {side: [entry[case][measure] for entry in rounds if entry["side"] == side] for side in SIDES}
            medians = {side: statistics.median(values) for side, values in sides.items()}
            row[measure] = {
                **sides,
                **{f"{side}_median": medians[side] for side in sides},
                "ratio": round(medians["after"] / medians["before"], 2) if medians["before"] else None,
            }
        table[case] = row
    return table


async def compare(args: argparse.Namespace) -> dict[str, Any]:
    """`--rounds` pairs, before and after in turn (which goes first alternates too)."""
    rounds: list[dict[str, Any]] = []
    for number in range(args.rounds):
        order = [("before", args.before), ("after", args.code)]
        for side, code in order if number % 2 == 0 else order[::-1]:
            say(f"round {number + 1}/{args.rounds}: {side} ({code})")
            result = await run(argparse.Namespace(**{**vars(args), "code": code}))
            rounds.append({"side": side, "code": str(code), **{case: result[case] for case in CASES}})
            say(
                "  ".join(
                    f"{case}: {result[case]['sign_ups_per_second']}/s at {result[case]['api_cpu_ms_per_sign_up']} ms"
                    for case in CASES
                )
            )
    return {
        "benchmark": "signUpForShift before vs. after, alternating",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {"people": args.people, "places": args.places, "spread_shifts": args.shifts},
        "comparison": comparison(rounds),
        "rounds": rounds,
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "versions": versions(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--shifts", type=int, default=100)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="run the API (and worker) from this tree, e.g. an earlier commit"
    )
    parser.add_argument("--before", type=Path, help="also run the API from this tree, alternating with --code")
    parser.add_argument("--rounds", type=int, default=3, help="pairs of runs with --before")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = asyncio.run(compare(args) if args.before is not None else run(args))
    output: Path = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    shown = ("comparison",) if args.before is not None else CASES
    say(json.dumps({key: result[key] for key in shown}, indent=2, ensure_ascii=False))
    say(f"written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
