"""Acceptance: a worker process killed in the middle of a moderation check loses nothing and decides nothing twice.

A real `mitmachen worker` process takes the check jobs of ideas submitted through the API. The test holds a row
lock on one idea, so that the worker's check blocks in `SELECT … FOR UPDATE` (seen in `pg_stat_activity`), and
kills the worker with SIGKILL while that job is in flight. A second worker then runs the abandoned job again
(arq retries it once its in-progress mark expires) and the sweep resends whatever else is pending.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from arq.jobs import JobResult
from sqlalchemy import text

from mitmachen.embedded import EmbeddedValkey
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import (
    JOB_TIMEOUT_SECONDS,
    Outcome,
    all_decided,
    api_on,
    eventually,
    explain,
    outcomes,
    worker_process,
)

TITLES = [
    ("Mehr Bänke am Wall", "Auf dem Wallweg fehlen Sitzgelegenheiten für Ältere."),
    ("Trinkbrunnen am Markt", "Im Sommer wäre Wasser am Marktplatz eine große Hilfe."),
    ("Der Planer ist ein Vollidiot", "Das muss hier einmal gesagt werden."),
    ("Radweg nach Bad Sassendorf", "Der Weg entlang der B1 ist für Kinder zu gefährlich."),
    ("Bücherschrank im Theodor-Heuss-Park", "Ein offener Bücherschrank lädt zum Tauschen ein."),
    ("Längere Öffnungszeiten im Freibad", "Berufstätige schaffen es unter der Woche kaum dorthin."),
]

CHECK_WAITING_FOR_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
    "AND query ILIKE '%FROM ideas%FOR UPDATE%'"
)


async def test_a_worker_killed_mid_check_leaves_every_submission_decided_exactly_once(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, valkey: EmbeddedValkey
) -> None:
    citizens = [await person(runtime, oidc_provider, f"buerger-{number}") for number in range(3)]
    redis_url = valkey.url()
    async with api_on(settings, redis_url) as (queue, graphql):
        town = await town_ref(graphql, "soest")
        ideas: list[uuid.UUID] = [
            row_id(await submit(graphql, citizens[number % 3], town, title=title, body=body))
            for number, (title, body) in enumerate(TITLES)
        ]
        assert await queue.redis.zcard("arq:queue") == len(ideas), "each submission sent its wake-up"
        await _crash_and_recover(settings, runtime, queue, ideas, valkey.directory)


async def _crash_and_recover(
    settings: Settings, runtime: Runtime, queue: Runtime, ideas: list[uuid.UUID], logs: Path
) -> None:
    blocked = ideas[0]
    redis_url = queue.settings.require_redis_url()

    async with runtime.engine.connect() as holder:
        transaction = await holder.begin()
        await holder.execute(text("SELECT 1 FROM ideas WHERE id = :id FOR UPDATE"), {"id": blocked})
        with worker_process(settings, redis_url, logs / "first-worker.log") as first:

            async def check_is_blocked() -> bool:
                assert first.process.poll() is None, first.output()
                async with runtime.engine.connect() as probe:
                    return bool(await probe.scalar(CHECK_WAITING_FOR_LOCK))

            await eventually(check_is_blocked, within=30, what="the first worker's check waits for the row lock")
            first.kill()
        await transaction.rollback()

    in_flight = await outcomes(runtime, [blocked])
    assert in_flight[blocked] == Outcome(decisions=0, audit_entries=0, checked=False, lifecycle="pending")

    with worker_process(settings, redis_url, logs / "second-worker.log") as second:

        async def everything_decided() -> bool:
            assert second.process.poll() is None, second.output()
            return await all_decided(runtime, ideas)

        waited = await eventually(
            everything_decided,
            within=JOB_TIMEOUT_SECONDS + 50,
            what="the second worker decides every submission",
            explain=lambda: explain(runtime, ideas, second.output()),
        )

    await assert_decided_once_and_the_abandoned_check_rerun(runtime, queue, ideas, blocked)
    print(f"crashed job decided {waited:.1f} s after the second worker started")  # noqa: T201 - measurement


async def assert_decided_once_and_the_abandoned_check_rerun(
    runtime: Runtime, queue: Runtime, ideas: list[uuid.UUID], blocked: uuid.UUID
) -> list[JobResult]:
    """Every idea decided exactly once (the one whose check was abandoned held for a moderator, not stuck), and
    no further run of the abandoned idea's check decided again. Gives those runs."""
    found = await outcomes(runtime, ideas)
    assert {idea: (outcome.decisions, outcome.audit_entries, outcome.checked) for idea, outcome in found.items()} == (
        dict.fromkeys(ideas, (1, 1, True))
    )
    assert [found[idea].lifecycle for idea in ideas] == [
        "published",
        "published",
        "pending",  # held for a moderator, with its decision: not stuck
        "published",
        "published",
        "published",
    ]
    runs = [
        result
        for result in await queue.redis.all_job_results()
        if result.function == "moderation.check" and result.args == ("idea", str(blocked))
    ]
    # The abandoned job is retried by arq once its timeout has passed, and the sweep resends the idea too; which of
    # them runs first (and whether the retry has run yet on a slow machine) varies. Whatever ran: at most one run
    # decided, every other found nothing to do (the exactly-once decision itself is asserted above).
    assert sum(run.result != "unchanged" for run in runs) <= 1, runs
    return runs
