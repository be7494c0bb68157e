"""Moderation jobs through a real arq worker (burst mode) on the real queue and database."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.config import Settings
from service.ideas.models import Lifecycle
from service.moderation.models import ModerationDecision
from tests.service.moderation import factories
from workers.settings import create_worker

LONG_AGO = datetime.now(UTC) - timedelta(minutes=5)


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


async def _moderation_results_all_succeeded(runtime: Runtime) -> list[str]:
    """Names of the moderation jobs that ran (other domains' jobs, such as notification delivery, aside)."""
    results = [result for result in await runtime.redis.all_job_results() if result.function.startswith("moderation.")]
    assert all(result.success for result in results), [result.result for result in results if not result.success]
    return sorted(result.function for result in results)


async def _decision_counts(runtime: Runtime, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int]]:
    """Per contribution: (automated decisions, audit entries)."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        decided = dict(
            (
                await session.execute(
                    select(ModerationDecision.subject_id, func.count())
                    .where(ModerationDecision.subject_id.in_(ids))
                    .group_by(ModerationDecision.subject_id)
                )
            ).all()
        )
        audited = dict(
            (
                await session.execute(
                    select(AuditEntry.subject_id, func.count())
                    .where(AuditEntry.subject_id.in_(ids))
                    .group_by(AuditEntry.subject_id)
                )
            ).all()
        )
    return {subject_id: (decided.get(subject_id, 0), audited.get(subject_id, 0)) for subject_id in ids}


async def test_each_pending_submission_is_decided_exactly_once_though_its_check_is_queued_twice(
    settings: Settings, runtime: Runtime
) -> None:
    author = await factories.user(runtime)
    titles = [
        "Mehr Bänke am Wall",
        "Der Planer ist ein Vollidiot",
        "Ich bring dich um, Planer",
        "Trinkbrunnen am Markt",
    ]
    ideas = [await factories.submit_idea(runtime, author, title=title, body=f"Begründung {title}") for title in titles]
    published = await factories.idea_row(runtime, author, title="Schon veröffentlicht", lifecycle=Lifecycle.PUBLISHED)
    comment = await factories.comment_row(runtime, published, await factories.user(runtime, "Kim Kommentar"))
    for idea_id in ideas:  # the service sent one wake-up each; a second one arrives, as after a sweep
        await runtime.redis.enqueue_job("moderation.check", "idea", str(idea_id))
    for _ in range(2):
        await runtime.redis.enqueue_job("moderation.check", "comment", str(comment))

    await _run_worker(settings, runtime)

    assert await _moderation_results_all_succeeded(runtime) == ["moderation.check"] * 10
    assert await _decision_counts(runtime, [*ideas, comment]) == dict.fromkeys([*ideas, comment], (1, 1))
    lifecycles = [(await factories.load_idea(runtime, idea_id)).lifecycle for idea_id in ideas]
    assert lifecycles == ["published", "pending", "rejected", "published"]
    assert (await factories.load_comment(runtime, comment)).lifecycle == "published"
    assert (await factories.load_idea(runtime, published)).comment_count == 1


async def test_the_sweep_finds_a_pending_idea_whose_wake_up_was_lost_and_the_worker_decides_it(
    settings: Settings, runtime: Runtime
) -> None:
    author = await factories.user(runtime)
    forgotten = await factories.idea_row(runtime, author, title="Vergessene Idee", created_at=LONG_AGO)
    assert await runtime.redis.zcard("arq:queue") == 0, "nothing was queued for it"
    await runtime.redis.enqueue_job("system.sweep")

    await _run_worker(settings, runtime)

    assert await _moderation_results_all_succeeded(runtime) == ["moderation.check"]
    idea = await factories.load_idea(runtime, forgotten)
    assert idea.lifecycle == Lifecycle.PUBLISHED.value
    assert await _decision_counts(runtime, [forgotten]) == {forgotten: (1, 1)}


async def test_reports_hide_an_idea_through_the_worker_once(settings: Settings, runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    for number in range(3):
        await factories.report(runtime, await factories.user(runtime, f"Meldende {number}"), idea_id=idea_id)
        await runtime.redis.enqueue_job("moderation.hide_reported", "idea", str(idea_id))

    await _run_worker(settings, runtime)

    assert await _moderation_results_all_succeeded(runtime) == ["moderation.hide_reported"] * 3
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.HIDDEN.value
    assert await _decision_counts(runtime, [idea_id]) == {idea_id: (1, 1)}


async def test_a_job_with_unusable_arguments_is_ignored(settings: Settings, runtime: Runtime) -> None:
    await runtime.redis.enqueue_job("moderation.check", "survey", "not-a-uuid")

    await _run_worker(settings, runtime)

    [result] = [result for result in await runtime.redis.all_job_results() if result.function == "moderation.check"]
    assert (result.success, result.result) == (True, "ignored")


def test_the_worker_process_knows_every_table_that_jobs_write_to() -> None:
    """A worker imports only its jobs; flushing an audit entry needs the `users` table in the metadata too."""
    program = (
        "import json, workers.settings; from service.db.base import Base; print(json.dumps(list(Base.metadata.tables)))"
    )
    found = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )

    assert {"users", "towns", "audit_log", "ideas", "moderation_decisions"} <= set(json.loads(found.stdout))
