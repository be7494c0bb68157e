"""A job that meets an unavailable database is handed back to the queue and tried again, not failed.

A failed job keeps its result for a while, and arq refuses a wake-up of the same key while the result is kept: the
sweep could not resend the check of an idea whose check failed during a database restart until that result
expired. Here the job meets a real refused connection (a port no PostgreSQL listens on), then runs again against
the real database, as after the restart.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import pytest
from arq import Retry

from mitmachen.embedded import free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from service.ideas.models import Lifecycle
from service.kit.observability import REGISTRY
from service.moderation.jobs import CHECK, Subject
from service.moderation.models import SubjectKind
from tests.support.ideas import insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.workers.processes import all_decided
from workers.registry import Handler, database_retry_seconds
from workers.running import measured
from workers.settings import functions

# The check as the worker registers it with arq: decoded and handled, and counted.
CHECK_JOB = next(function.coroutine for function in functions() if function.name == CHECK.name)


def _ctx(runtime: Runtime, job_try: int) -> dict[str, Any]:
    return {"runtime": runtime, "job_try": job_try, "score": time.time() * 1000}


def _runs(job: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("mitmachen_jobs_run_total", {"job": job, "outcome": outcome}) or 0.0


def test_the_pause_before_the_next_try_doubles_up_to_half_a_minute() -> None:
    assert [database_retry_seconds(job_try) for job_try in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


async def test_a_check_that_meets_an_unavailable_database_is_handed_back_then_decides_once_it_is_back(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    author = await person(runtime, oidc_provider, f"autorin-{uuid.uuid4()}")
    idea = await insert_idea_directly(
        runtime, author_id=author.user_id, town="soest", title="Mehr Bänke am Markt", lifecycle=Lifecycle.PENDING
    )
    caplog.set_level(logging.WARNING, logger="mitmachen.worker")
    away = Runtime.create(
        settings.model_copy(update={"database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x"})
    )
    try:
        for job_try in (1, 2, 3):
            before = _runs(CHECK.name, "handed_back")
            with pytest.raises(Retry) as raised:
                await CHECK_JOB(_ctx(away, job_try), SubjectKind.IDEA.value, str(idea))
            assert raised.value.defer_score == database_retry_seconds(job_try) * 1000
            assert _runs(CHECK.name, "handed_back") == before + 1
    finally:
        await away.close()
    warnings = [record.getMessage() for record in caplog.records if record.name == "mitmachen.worker"]
    assert [message.split(" on try ")[1] for message in warnings] == [
        "1; handed back, tried again in 1 s",
        "2; handed back, tried again in 2 s",
        "3; handed back, tried again in 4 s",
    ]
    assert all(message.startswith("moderation.check: database unavailable (") for message in warnings)
    assert not await all_decided(runtime, [idea])

    assert await CHECK_JOB(_ctx(runtime, 4), SubjectKind.IDEA.value, str(idea)) == "publish"
    assert await all_decided(runtime, [idea])


async def test_a_job_that_fails_for_another_reason_still_fails(runtime: Runtime) -> None:
    async def broken(ctx: dict[str, Any], subject: Subject) -> None:
        raise ValueError("a bug, not an outage")

    # The check's job type with a handler that has a bug, wrapped as the worker wraps every job.
    job = measured("system.broken", Handler(CHECK, broken).run)
    before = _runs("system.broken", "failed")
    with pytest.raises(ValueError, match="a bug"):
        await job(_ctx(runtime, 1), SubjectKind.IDEA.value, str(uuid.uuid4()))
    assert _runs("system.broken", "failed") == before + 1
    assert _runs("system.broken", "handed_back") == 0
