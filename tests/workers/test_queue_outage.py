"""Acceptance: citizens keep submitting while the queue is down for 30 s; afterwards every submission is decided once.

The test runs its own embedded Valkey (the machine's shared Redis stays untouched), stops it, submits ideas
through the API for 30 seconds (each request must succeed quickly, the lost wake-up is logged, the idea is in
the database), starts Valkey again on the same port and a real `mitmachen worker` process, whose sweep finds
the pending ideas.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import pytest

from mitmachen.embedded import EmbeddedValkey, port_answers
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.ideas import row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import all_decided, api_on, eventually, outcomes, worker_process
from tests.workers.processes import explain as _explain

OUTAGE_SECONDS = 30
SUBMISSION_INTERVAL_SECONDS = 2.5
# A refused connection fails at once; a request must never wait out more than one send timeout.
SLOWEST_ACCEPTABLE_REQUEST_SECONDS = 2.5


async def test_submissions_during_a_queue_outage_succeed_and_are_each_decided_once_afterwards(
    settings: Settings,
    runtime: Runtime,
    oidc_provider: OidcProvider,
    valkey: EmbeddedValkey,
    caplog: pytest.LogCaptureFixture,
) -> None:
    citizens = [await person(runtime, oidc_provider, f"buergerin-{number}") for number in range(4)]
    async with api_on(settings, valkey.url()) as (own_runtime, graphql):
        town = await town_ref(graphql, "soest")
        assert await own_runtime.redis.ping()

        valkey.stop()
        assert not port_answers(valkey.port)
        caplog.set_level(logging.WARNING, logger="mitmachen.jobs")
        during: list[uuid.UUID] = []
        slowest = 0.0
        outage_started = time.monotonic()
        while time.monotonic() - outage_started < OUTAGE_SECONDS:
            started = time.monotonic()
            title = f"Idee Nummer {len(during) + 1} für den Bahnhofsvorplatz"
            author = citizens[len(during) % len(citizens)]
            during.append(row_id(await submit(graphql, author, town, title=title)))
            slowest = max(slowest, time.monotonic() - started)
            await _sleep_until(started + SUBMISSION_INTERVAL_SECONDS)
        outage = time.monotonic() - outage_started

        assert slowest < SLOWEST_ACCEPTABLE_REQUEST_SECONDS
        lost = [record for record in caplog.records if record.getMessage().startswith("could not send job")]
        assert len(lost) == len(during), "every lost wake-up is logged"
        pending = await outcomes(runtime, during)
        assert {outcome.lifecycle for outcome in pending.values()} == {"pending"}, "all are in the database"
        assert sum(outcome.decisions for outcome in pending.values()) == 0

        valkey.start()  # the same port and folder
        after = row_id(await submit(graphql, citizens[0], town, title="Idee nach der Störung"))
        assert await own_runtime.redis.zcard("arq:queue") == 1, "the API sends again once Redis is back"
        ideas = [*during, after]

        with worker_process(settings, valkey.url(), valkey.directory / "worker.log") as worker:

            async def everything_decided() -> bool:
                assert worker.process.poll() is None, worker.output()
                return await all_decided(runtime, ideas)

            waited = await eventually(
                everything_decided,
                within=60,
                what="the worker decides every submission",
                explain=lambda: _explain(runtime, ideas, worker.output()),
            )

    found = await outcomes(runtime, ideas)
    assert {idea: (outcome.decisions, outcome.audit_entries, outcome.checked) for idea, outcome in found.items()} == (
        dict.fromkeys(ideas, (1, 1, True))
    )
    print(  # noqa: T201 - measurement
        f"{len(during)} submissions in a {outage:.1f} s outage, slowest request {slowest:.3f} s; "
        f"all decided {waited:.1f} s after the worker started"
    )


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
