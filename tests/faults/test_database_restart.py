"""PostgreSQL stopped and started again under load, with a real `mitmachen serve` process in front of it.

The test runs its own embedded PostgreSQL (never the machine's shared one) on a free port, migrated and seeded, and
the machine's Redis (database 14). A few clients submit ideas, support an idea and sign up for a shift, each call
as a new person, while the database is stopped ("fast" shutdown) and started again in the middle.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url

from mitmachen.embedded import EmbeddedPostgres, free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from service.db.migrate import upgrade_with_engine
from service.towns.demo import seed_towns
from tests.conftest import GraphQLClient
from tests.support.ideas import SUBMIT_IDEA, idea_gid, insert_idea_directly, row_id, submit_input, town_ref
from tests.support.load import new_person_token, rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.server import ServeProcess, serve_process
from tests.support.volunteering import SIGN_UP, open_shift

REDIS_DB = 14
CLIENTS = 6
RUN_SECONDS = 20.0
QUICK_RESTARTS = 4
STOP_AT = 9.0
DOWN_SECONDS = 4.0
RECOVERY_SECONDS = 5.0
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


@pytest.fixture
async def stage(settings: Settings, tmp_path: Path) -> AsyncIterator[Stage]:
    postgres = EmbeddedPostgres(tmp_path / "postgres", port=free_port())
    await asyncio.to_thread(postgres.start)
    assert settings.redis_url is not None
    own = settings.model_copy(
        update={
            "database_url": postgres.url(),
            "redis_url": make_url(settings.redis_url).set(database=str(REDIS_DB)).render_as_string(False),
        }
    )
    runtime = Runtime.create(own)
    try:
        await runtime.redis.flushdb()
        await upgrade_with_engine(runtime.engine)
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await seed_towns(session)
        yield Stage(own, runtime, postgres)
    finally:
        await runtime.redis.flushdb()
        await runtime.close()
        await asyncio.to_thread(postgres.stop)


async def _client(
    number: int, served: ServeProcess, provider: OidcProvider, targets: dict[str, Any], start: float
) -> list[Call]:
    calls: list[Call] = []
    actions = ("submitIdea", "feed", "supportIdea", "feed", "signUpForShift")
    async with httpx.AsyncClient(base_url=served.url, trust_env=False, timeout=15.0) as http:
        count = 0
        while time.monotonic() - start < RUN_SECONDS:
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


async def _outage(postgres: EmbeddedPostgres, start: float) -> tuple[float, float]:
    """A few quick restarts (requests in flight meet the shutdown), then one outage of some seconds; returns when
    that one began and ended."""
    await asyncio.sleep(1.5)
    for _ in range(QUICK_RESTARTS):
        await asyncio.to_thread(postgres.stop)
        await asyncio.sleep(0.3)
        await asyncio.to_thread(postgres.start)
        await asyncio.sleep(0.5)
    await asyncio.sleep(max(0.0, STOP_AT - (time.monotonic() - start)))
    stopped = time.monotonic() - start
    await asyncio.to_thread(postgres.stop)
    await asyncio.sleep(DOWN_SECONDS)
    await asyncio.to_thread(postgres.start)
    return stopped, time.monotonic() - start


async def test_a_database_restart_under_load_loses_nothing_and_answers_503_meanwhile(
    stage: Stage, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    # The default pool (10 connections, 10 requests at once), as a new installation runs.
    with serve_process(stage.settings, tmp_path / "serve.log", MITMACHEN_DATABASE_POOL_SIZE="10") as served:
        async with httpx.AsyncClient(base_url=served.url, trust_env=False, timeout=15.0) as http:
            graphql = GraphQLClient(http)
            town = await town_ref(graphql, "soest")
            setup = await open_shift(graphql, stage.runtime, oidc_provider, capacity=10_000)
        author = await person(stage.runtime, oidc_provider, "author")
        idea = await insert_idea_directly(stage.runtime, author_id=author.user_id, town="soest", title="Mehr Bänke")
        targets = {"town": town, "idea": idea_gid(idea), "shift": setup.shift_id}

        start = time.monotonic()
        outage = asyncio.create_task(_outage(stage.postgres, start))
        per_client = await asyncio.gather(
            *(_client(number, served, oidc_provider, targets, start) for number in range(CLIENTS))
        )
        stopped, back = await outage
        log = served.output()

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
        f"{min(call.answered for call in calls if call.sent > back and call.succeeded) - back:.2f} s"
    )
