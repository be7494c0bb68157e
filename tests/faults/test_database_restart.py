"""PostgreSQL stopped and started again under load, with a real `mitmachen serve` process in front of it.

The test runs its own embedded PostgreSQL and Valkey (never the machine's shared ones) on free ports, migrated and
seeded, with one API process and one worker. A few clients submit ideas, support an idea and sign up for a shift,
each call as a new person, while the database is stopped ("fast" shutdown) and started again in the middle; in the
second variant Redis is stopped for the same outage and started again with it.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from mitmachen.embedded import EmbeddedPostgres, EmbeddedValkey, free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.conftest import GraphQLClient
from tests.support.ideas import SUBMIT_IDEA, idea_gid, insert_idea_directly, row_id, submit_input, town_ref
from tests.support.load import migrate_and_seed, new_person_token, rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.server import ServeProcess, serve_process
from tests.support.volunteering import SIGN_UP, open_shift
from tests.workers.processes import all_decided, eventually, explain, outcomes, worker_process

CLIENTS = 6
RUN_SECONDS = 20.0
QUICK_RESTARTS = 4
STOP_AT = 9.0
DOWN_SECONDS = 4.0
RECOVERY_SECONDS = 5.0
# Load goes on at least this long after the database is back, however long its start took on a busy machine.
AFTER_BACK_SECONDS = RECOVERY_SECONDS + 3.0
PAUSE_SECONDS = 0.01
SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename ... on UserError { code } } }"
SUCCESS = {"submitIdea": "IdeaSubmitted", "supportIdea": "IdeaSupported", "signUpForShift": "SignedUpForShift"}
FEED = """
{ ideas(first: 5) { edges { node { id title supportCount viewerHasSupported author { displayName } } } }
  towns { slug strategyAreas { name } } me { user { displayName } } }
"""


@dataclass
class Call:
    action: str
    subject: str
    sent: float
    answered: float
    status: int
    content_type: str
    retry_after: str | None
    body: str
    json: dict[str, Any] | None = field(default=None)

    @property
    def succeeded(self) -> bool:
        data = (self.json or {}).get("data") or {}
        result = data.get(self.action) or {}
        if self.action == "feed":
            return self.status == 200 and not (self.json or {}).get("errors") and bool(data.get("towns"))
        return self.status == 200 and result.get("__typename") == SUCCESS[self.action]

    @property
    def unavailable(self) -> bool:
        errors = (self.json or {}).get("errors") or []
        return (
            self.status == 503
            and self.retry_after is not None
            and self.content_type.startswith("application/graphql-response+json")
            and [error.get("extensions", {}).get("code") for error in errors] == ["SERVICE_UNAVAILABLE"]
            and "data" not in (self.json or {})
        )


@dataclass
class Stage:
    settings: Settings
    runtime: Runtime
    postgres: EmbeddedPostgres
    valkey: EmbeddedValkey


@pytest.fixture
async def stage(settings: Settings, tmp_path: Path) -> AsyncIterator[Stage]:
    postgres = EmbeddedPostgres(tmp_path / "postgres", port=free_port())
    valkey = EmbeddedValkey(tmp_path / "valkey", port=free_port())
    await asyncio.to_thread(postgres.start)
    try:
        await asyncio.to_thread(valkey.start)
        own = settings.model_copy(update={"database_url": postgres.url(), "redis_url": valkey.url()})
        runtime = Runtime.create(own)
        try:
            await migrate_and_seed(runtime)
            yield Stage(own, runtime, postgres, valkey)
        finally:
            await runtime.close()
    finally:
        await asyncio.to_thread(valkey.stop)
        await asyncio.to_thread(postgres.stop)


def _running(start: float, outage: asyncio.Task[tuple[float, float]]) -> bool:
    elapsed = time.monotonic() - start
    return elapsed < RUN_SECONDS or not outage.done() or elapsed < outage.result()[1] + AFTER_BACK_SECONDS


async def _client(
    number: int,
    served: ServeProcess,
    provider: OidcProvider,
    targets: dict[str, Any],
    start: float,
    *,
    outage: asyncio.Task[tuple[float, float]],
) -> list[Call]:
    calls: list[Call] = []
    actions = ("submitIdea", "feed", "supportIdea", "feed", "signUpForShift")
    async with httpx.AsyncClient(base_url=served.url, trust_env=False, timeout=15.0) as http:
        count = 0
        while _running(start, outage):
            action = actions[(count + number) % len(actions)]
            subject = f"load-{number}-{count}"
            count += 1
            query, variables = {
                "submitIdea": (SUBMIT_IDEA, {"input": submit_input(targets["town"], title=f"Idee von {subject}")}),
                "supportIdea": (SUPPORT, {"id": targets["idea"]}),
                "signUpForShift": (SIGN_UP, {"id": targets["shift"]}),
                "feed": (FEED, {}),
            }[action]
            sent = time.monotonic()
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {new_person_token(provider, subject)}"},
            )
            try:
                body = response.json()
            except ValueError:
                body = None
            calls.append(
                Call(
                    action,
                    subject,
                    sent - start,
                    time.monotonic() - start,
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.headers.get("retry-after"),
                    response.text[:300],
                    body if isinstance(body, dict) else None,
                )
            )
            await asyncio.sleep(PAUSE_SECONDS)
    return calls


async def _outage(stage: Stage, start: float, *, redis_too: bool) -> tuple[float, float]:
    """A few quick restarts (requests in flight meet the shutdown), then one outage of some seconds (of Redis too
    when `redis_too`); returns when that one began and when both were back."""
    await asyncio.sleep(1.5)
    for _ in range(QUICK_RESTARTS):
        await asyncio.to_thread(stage.postgres.stop)
        await asyncio.sleep(0.3)
        await asyncio.to_thread(stage.postgres.start)
        await asyncio.sleep(0.5)
    await asyncio.sleep(max(0.0, STOP_AT - (time.monotonic() - start)))
    stopped = time.monotonic() - start
    await asyncio.to_thread(stage.postgres.stop)
    if redis_too:
        await asyncio.to_thread(stage.valkey.stop)
    await asyncio.sleep(DOWN_SECONDS)
    if redis_too:
        await asyncio.to_thread(stage.valkey.start)
    await asyncio.to_thread(stage.postgres.start)
    return stopped, time.monotonic() - start


@pytest.mark.parametrize("redis_too", [False, True], ids=["database", "database-and-redis"])
async def test_a_database_restart_under_load_loses_nothing_and_answers_503_meanwhile(
    redis_too: bool, stage: Stage, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    # The default pool (10 connections, 10 requests at once), as a new installation runs.
    with (
        serve_process(stage.settings, tmp_path / "serve.log", MITMACHEN_DATABASE_POOL_SIZE="10") as served,
        worker_process(stage.settings, stage.valkey.url(), tmp_path / "worker.log") as worker,
    ):
        async with httpx.AsyncClient(base_url=served.url, trust_env=False, timeout=15.0) as http:
            graphql = GraphQLClient(http)
            town = await town_ref(graphql, "soest")
            setup = await open_shift(graphql, stage.runtime, oidc_provider, capacity=10_000)
        author = await person(stage.runtime, oidc_provider, "author")
        idea = await insert_idea_directly(stage.runtime, author_id=author.user_id, town="soest", title="Mehr Bänke")
        targets = {"town": town, "idea": idea_gid(idea), "shift": setup.shift_id}

        start = time.monotonic()
        outage = asyncio.create_task(_outage(stage, start, redis_too=redis_too))
        per_client = await asyncio.gather(
            *(_client(number, served, oidc_provider, targets, start, outage=outage) for number in range(CLIENTS))
        )
        stopped, back = await outage
        log = served.output()

        # The worker carries on by itself: every submission that was accepted is decided, once.
        submitted = [
            idea_id
            for (idea_id,) in await rows(
                stage.runtime,
                "SELECT i.id FROM ideas i JOIN users u ON u.id = i.author_id WHERE u.subject LIKE 'load-%'",
            )
        ]
        decided_within = await eventually(
            functools.partial(all_decided, stage.runtime, submitted),
            within=30,
            what="every submitted idea decided",
            explain=functools.partial(explain, stage.runtime, submitted, worker.output()),
        )
        decisions = {outcome.decisions for outcome in (await outcomes(stage.runtime, submitted)).values()}

    calls = sorted((call for calls in per_client for call in calls), key=lambda call: call.sent)
    odd = [call for call in calls if not call.succeeded and not call.unavailable]
    assert odd == [], f"{len(odd)} of {len(calls)} answers neither success nor 503:\n{odd[:5]}\n{log[-3000:]}"
    faults = [line for line in log.splitlines() if '"level": "error"' in line or '"level": "critical"' in line]
    assert faults == [], "\n".join(faults)[:3000]
    assert "Traceback" not in log, log[-3000:]

    during = [call for call in calls if stopped + 0.5 < call.sent and call.answered < back]
    assert during
    assert all(call.unavailable for call in during)
    late = [call for call in calls if call.sent > back + RECOVERY_SECONDS]
    assert late
    assert all(call.succeeded for call in late), [call for call in late if not call.succeeded][:5]

    ok = {action: {call.subject for call in calls if call.action == action and call.succeeded} for action in SUCCESS}
    ideas = await rows(
        stage.runtime,
        "SELECT u.subject, count(*) FROM ideas i JOIN users u ON u.id = i.author_id "
        "WHERE u.subject LIKE 'load-%' GROUP BY u.subject",
    )
    supports = await rows(
        stage.runtime,
        "SELECT u.subject FROM idea_supports s JOIN users u ON u.id = s.user_id WHERE s.idea_id = :idea",
        idea=idea,
    )
    sign_ups = await rows(
        stage.runtime,
        "SELECT u.subject, count(*) FROM volunteer_sign_ups s JOIN users u ON u.id = s.user_id "
        "WHERE s.shift_id = :shift GROUP BY u.subject",
        shift=row_id(setup.shift_id),
    )
    [(support_count,)] = await rows(stage.runtime, "SELECT support_count FROM ideas WHERE id = :idea", idea=idea)
    [(places_taken,)] = await rows(
        stage.runtime, "SELECT places_taken FROM volunteer_shifts WHERE id = :shift", shift=row_id(setup.shift_id)
    )

    assert ok["submitIdea"] <= {subject for subject, _ in ideas}
    assert decisions == {1}
    assert all(number == 1 for _, number in ideas)
    assert ok["supportIdea"] <= {subject for (subject,) in supports}
    assert support_count == len(supports)
    assert ok["signUpForShift"] <= {subject for subject, _ in sign_ups}
    assert all(number == 1 for _, number in sign_ups)
    assert places_taken == sum(number for _, number in sign_ups)
    print(  # noqa: T201 - the measurement, read with -s
        f"\n{len(calls)} calls, {sum(len(subjects) for subjects in ok.values())} succeeded, "
        f"{sum(call.unavailable for call in calls)} answered 503; database down {stopped:.1f}-{back:.1f} s, "
        f"first success after it was back: "
        f"{min(call.answered for call in calls if call.sent > back and call.succeeded) - back:.2f} s; "
        f"every submission decided {decided_within:.1f} s after the load ended"
    )
