"""What the periodic sweep finds: moderation work still pending in the database whose wake-up may be lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.ideas.models import Idea, Lifecycle
from service.kit.jobs import Job
from service.moderation.sweep import unchecked_submissions, unhandled_reports
from tests.service.moderation import factories
from tests.service.moderation.support import check

THRESHOLD = timedelta(seconds=60)
LONG_AGO = datetime.now(UTC) - timedelta(minutes=5)


async def _swept(runtime: Runtime) -> list[Job]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return [*await unchecked_submissions(session, THRESHOLD), *await unhandled_reports(session, THRESHOLD)]


async def test_an_old_unchecked_idea_and_comment_are_found_recent_and_decided_ones_are_not(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    forgotten = await factories.idea_row(runtime, author, title="Vergessene Idee", created_at=LONG_AGO)
    await factories.idea_row(runtime, author, title="Ganz frische Idee")
    decided = await factories.idea_row(runtime, author, title="Schon entschieden", created_at=LONG_AGO)
    await check(runtime, decided)
    published = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED, created_at=LONG_AGO)
    comment = await factories.comment_row(runtime, published, author, created_at=LONG_AGO)

    jobs = await _swept(runtime)

    assert [(job.name, job.args) for job in jobs] == [
        ("moderation.check", ("idea", str(forgotten))),
        ("moderation.check", ("comment", str(comment))),
    ]
    assert jobs[0].key == f"moderation.check:idea:{forgotten}"


async def test_an_idea_edited_after_its_check_is_found_again(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, title="Der Planer ist ein Vollidiot", created_at=LONG_AGO)
    await check(runtime, idea_id)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        idea = await session.get(Idea, idea_id)
        assert idea is not None
        idea.title = "Der Plan braucht Radwege"
        idea.updated_at = LONG_AGO + timedelta(minutes=1)
        idea.checked_at = LONG_AGO

    assert [job.args for job in await _swept(runtime)] == [("idea", str(idea_id))]

    await check(runtime, idea_id)
    assert await _swept(runtime) == []


async def test_a_published_idea_reported_by_enough_people_is_found(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED, created_at=LONG_AGO)
    for number in range(3):
        await factories.report(runtime, await factories.user(runtime, f"Meldende {number}"), idea_id=idea_id)

    assert await _swept(runtime) == [], "the reports are too recent: their own wake-ups are still on the way"
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(factories.update_reports_created_at(LONG_AGO))

    assert [(job.name, job.args) for job in await _swept(runtime)] == [
        ("moderation.hide_reported", ("idea", str(idea_id)))
    ]
