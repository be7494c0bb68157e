"""Benchmark of webhooks: what writing events costs the changes that write them, how soon an event reaches a
receiver, and how many events per second one worker delivers.

Run it from the repository root:

    uv run python bench/webhooks.py

Options: `--operations 100` per variant and round, `--rounds 6`, `--samples 4` latency samples per variant,
`--burst 1000` events for the throughput, `--keep-database`.

What it does, in one run (the database and worker helpers are those of `bench/moderation.py` and
`bench/signups.py`):

1. Creates its own database, migrates it, seeds the demo towns, writes a verified organisation with a published
   offer and roomy shifts, and people.
2. Cost, in this process through the service layer and real units of work (commit, wake-ups sent to Redis): per
   round, first without any webhook subscription, then with an active one for Soest taking every event type:
   `submitIdea` (writes no event: the idea is pending), a moderator publishing an idea (writes `idea.published`,
   looks for subscriptions and, with one, asks for a delivery run after commit) and `signUpForShift` (writes no
   event). Reports ms per operation (elapsed and this process's CPU), the medians over the rounds and the ratio
   with/without. No worker runs meanwhile.
3. Latency, with a real `mitmachen worker` process and a receiver on 127.0.0.1: the time from an event's commit
   to its arrival, for events written as before the wake-up (no job asked for: only the cron, every 15 s, sends
   them) and as now (the commit wakes the worker), alternating.
4. Throughput: `--burst` events committed at once; the time until the receiver has had every one, by the same
   worker, one at a time in order as delivery works.
Writes `bench/results/webhooks.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

from moderation import (  # noqa: E402 - after the path is set
    LOCAL_SERVER,
    ROOT,
    database_url,
    flush_own_redis,
    migrate_and_seed_towns,
    recreate_database,
    say,
    versions,
)
from signups import seed_offer  # noqa: E402

from mitmachen.embedded import EmbeddedValkey  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "webhooks.json"


async def _people(runtime: Any, count: int) -> list[uuid.UUID]:
    from service.users.models import User  # noqa: PLC0415

    ids = [uuid.uuid4() for _ in range(count)]
    async with runtime.unit_of_work() as uow, uow.session() as session:
        session.add_all(
            User(id=user_id, issuer="https://bench.invalid", subject=str(user_id), display_name=f"Person {number}")
            for number, user_id in enumerate(ids)
        )
    return ids


async def _timed(operation: Callable[[int], Awaitable[None]], count: int) -> tuple[float, float]:
    """Milliseconds per operation, one after the other: elapsed, and CPU of this process (the service's own work;
    less exposed to a busy machine than the elapsed time, which includes the database's)."""
    started, cpu = time.perf_counter(), time.process_time()
    for number in range(count):
        await operation(number)
    return (time.perf_counter() - started) * 1000 / count, (time.process_time() - cpu) * 1000 / count


async def cost(runtime: Any, shifts: list[uuid.UUID], args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import delete, select  # noqa: PLC0415

    from service.auth.viewer import Grant, Role, Viewer  # noqa: PLC0415
    from service.events.log import EventType  # noqa: PLC0415
    from service.ideas.service import submit_idea  # noqa: PLC0415
    from service.moderation.decisions import Decision, moderate_submission  # noqa: PLC0415
    from service.moderation.models import SubjectKind  # noqa: PLC0415
    from service.towns.models import StrategyArea, Town  # noqa: PLC0415
    from service.volunteering.signups import sign_up_for_shift  # noqa: PLC0415
    from service.webhooks.models import WebhookSubscription  # noqa: PLC0415

    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_id, area_id = (
            await session.execute(
                select(Town.id, StrategyArea.id)
                .join(StrategyArea, StrategyArea.town_id == Town.id)
                .where(Town.slug == "soest")
            )
        ).first()
    moderator = Viewer(user_id=(await _people(runtime, 1))[0], grants=frozenset({Grant(Role.MODERATOR, town_id)}))
    per_round = args.operations
    times: dict[str, dict[str, list[float]]] = {}
    for round_number in range(args.rounds):
        for variant in ("without", "with"):
            async with runtime.unit_of_work() as uow, uow.session() as session:
                await session.execute(delete(WebhookSubscription))
                if variant == "with":
                    session.add(
                        WebhookSubscription(
                            town_id=town_id,
                            url="http://127.0.0.1:9/hook",
                            event_types=[member.value for member in EventType],
                            secret="whsec_" + "A" * 43 + "=",
                        )
                    )
            authors = [Viewer(user_id=user_id) for user_id in await _people(runtime, per_round)]
            ideas: list[uuid.UUID] = []

            async def submit(
                number: int, authors: list[Any] = authors, ideas: list[uuid.UUID] = ideas, label: str = ""
            ) -> None:
                async with runtime.unit_of_work() as uow, uow.session() as session:
                    idea = await submit_idea(
                        session,
                        authors[number],
                        town_id=town_id,
                        strategy_area_id=area_id,
                        title=f"Idee {label or uuid.uuid4().hex[:8]} {number}",
                        body="Ein Vorschlag für die Stadt, ausführlich genug beschrieben.",
                    )
                    ideas.append(idea.id)

            async def publish(number: int, ideas: list[uuid.UUID] = ideas) -> None:
                async with runtime.unit_of_work() as uow, uow.session() as session:
                    await moderate_submission(
                        session,
                        moderator,
                        kind=SubjectKind.IDEA,
                        subject_id=ideas[number],
                        decision=Decision.PUBLISH,
                        reason="Passt.",
                    )

            async def sign_up(number: int, authors: list[Any] = authors) -> None:
                async with runtime.unit_of_work() as uow, uow.session() as session:
                    await sign_up_for_shift(session, authors[number], shift_id=shifts[number % len(shifts)])

            for name, operation in (
                ("submitIdea", submit),
                ("publish (idea.published)", publish),
                ("signUpForShift", sign_up),
            ):
                took, cpu = await _timed(operation, per_round)
                times.setdefault(name, {}).setdefault(variant, []).append(took)
                times.setdefault(f"{name} CPU", {}).setdefault(variant, []).append(cpu)
                say(f"round {round_number + 1} {variant:>7} subscription: {name:<26} {took:6.2f} ms, CPU {cpu:5.2f} ms")
    summary = {}
    for name, variants in times.items():
        without, with_ = statistics.median(variants["without"]), statistics.median(variants["with"])
        summary[name] = {
            "without_ms": round(without, 2),
            "with_ms": round(with_, 2),
            "ratio": round(with_ / without, 3),
        }
    return {"per_round": times, "median": summary}


def _worker(dsn: str, redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    environment |= {
        # `test` allows plain http to a receiver on loopback, as `dev` does; production refuses it.
        "MITMACHEN_ENVIRONMENT": "test",
        "MITMACHEN_DATABASE_URL": dsn,
        "MITMACHEN_REDIS_URL": redis_url,
        "MITMACHEN_LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "mitmachen", "worker"],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


async def _write(runtime: Any, town_id: uuid.UUID, count: int, *, wake: bool) -> None:
    """`count` events in one transaction; `wake` False: as before the wake-up, no job is asked for."""
    from service.events.log import EventType, record  # noqa: PLC0415
    from service.kit.jobs import pending_jobs  # noqa: PLC0415

    async with runtime.unit_of_work() as uow, uow.session() as session:
        for number in range(count):
            await record(
                session,
                EventType.IDEA_PUBLISHED,
                town_id=town_id,
                subject_type="Idea",
                subject_id=uuid.uuid4(),
                data={"title": f"Idee {number}"},
            )
        if not wake:
            pending_jobs(session).clear()


async def _arrived(hook: Any, count: int, within: float) -> float:
    started = time.perf_counter()
    while len(hook.received) < count:
        if time.perf_counter() - started > within:
            raise RuntimeError(f"only {len(hook.received)} of {count} events arrived within {within} s")
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


async def delivery(runtime: Any, dsn: str, redis_url: str, args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy import delete, select  # noqa: PLC0415

    from service.towns.models import Town  # noqa: PLC0415
    from service.webhooks.models import WebhookSubscription  # noqa: PLC0415
    from tests.service.webhooks.receiver import receiver  # noqa: PLC0415

    async with runtime.unit_of_work() as uow, uow.session() as session:
        town_id = await session.scalar(select(Town.id).where(Town.slug == "olpe"))
    log = Path(tempfile.mkdtemp(prefix="mitmachen-bench-webhooks-")) / "worker.log"
    latency: dict[str, list[float]] = {"cron only (before)": [], "woken by the commit (after)": []}
    with receiver() as hook:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await session.execute(delete(WebhookSubscription))
            session.add(
                WebhookSubscription(
                    town_id=town_id, url=hook.url(), event_types=["idea.published"], secret="whsec_" + "A" * 43 + "="
                )
            )
        worker = _worker(dsn, redis_url, log)
        try:
            await asyncio.sleep(3)  # started and polling
            for sample in range(args.samples):
                for name, wake in (("cron only (before)", False), ("woken by the commit (after)", True)):
                    expected = len(hook.received) + 1
                    await _write(runtime, town_id, 1, wake=wake)
                    took = await _arrived(hook, expected, 30)
                    latency[name].append(took)
                    say(f"latency sample {sample + 1}, {name}: {took * 1000:.0f} ms")
                    await asyncio.sleep(0.5)
            before = len(hook.received)
            await _write(runtime, town_id, args.burst, wake=True)
            took = await _arrived(hook, before + args.burst, 600)
            say(f"throughput: {args.burst} events in {took:.1f} s: {args.burst / took:.0f} events/s")
            ids = [item.headers["webhook-id"] for item in hook.received[before:]]
            sequences = [int(json.loads(item.body)["sequence"]) for item in hook.received[before:]]
            if len(set(ids)) != args.burst or sequences != sorted(sequences):
                raise RuntimeError("the burst did not arrive once each and in order")
        finally:
            worker.terminate()
            worker.wait(30)
    return {
        "latency_ms": {
            name: {
                "samples": [round(value * 1000) for value in values],
                "median": round(statistics.median(values) * 1000),
            }
            for name, values in latency.items()
        },
        "throughput": {
            "events": args.burst,
            "seconds": round(took, 2),
            "events_per_second": round(args.burst / took, 1),
        },
        "worker_log": str(log),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from mitmachen.runtime import Runtime  # noqa: PLC0415
    from service.config import Settings  # noqa: PLC0415

    server = os.environ.get("MITMACHEN_BENCH_DATABASE_URL", LOCAL_SERVER)
    name = f"mitmachen_bench_webhooks_{os.getpid()}"
    dsn = database_url(server, name)
    # A Valkey of its own: a worker of another run on a shared Redis database would take this run's jobs.
    valkey = EmbeddedValkey(Path(tempfile.mkdtemp(prefix="mitmachen-bench-webhooks-valkey-")))
    redis_url = valkey.start()
    say(f"database {name}, redis {redis_url}")
    await recreate_database(server, name)
    runtime = None
    try:
        await migrate_and_seed_towns(dsn)
        await flush_own_redis(redis_url)
        _, shifts = await seed_offer(dsn, places=1, spread_shifts=100)
        runtime = Runtime.create(Settings(database_url=dsn, redis_url=redis_url))
        measured_cost = await cost(runtime, shifts, args)
        await flush_own_redis(redis_url)
        measured_delivery = await delivery(runtime, dsn, redis_url, args)
        return {
            "benchmark": "webhooks: event writing cost, event-to-delivery latency, delivery throughput",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": {"operations": args.operations, "rounds": args.rounds, "samples": args.samples},
            "cost": measured_cost,
            "delivery": measured_delivery,
            "machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
            "versions": versions(),
        }
    finally:
        if runtime is not None:
            await runtime.close()
        if not args.keep_database:
            await recreate_database(server, name, drop_only=True)
        valkey.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--operations", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    say(json.dumps({"cost": result["cost"]["median"], "delivery": result["delivery"]}, indent=2))
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    say(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
