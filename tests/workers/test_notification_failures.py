"""A notification that cannot be mailed is tried a bounded number of times, each attempt counted even when it fails,
then given up with the failure recorded; titles with line breaks are mailed with a one-line subject."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from sqlalchemy import select, text

from mitmachen.embedded import free_port
from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.notifications.delivery import MAX_ATTEMPTS, unsent
from service.notifications.models import Notification
from tests.conftest import GraphQLClient
from tests.support.ideas import idea_gid, insert_idea_directly
from tests.support.mail import give_address, run_worker, smtp_inbox
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

ANSWER = "mutation A($input: AnswerIdeaInput!) { answerIdea(input: $input) { __typename } }"
POISON = "Neue Bänke\r\nBcc: everyone@example.org\nX-Injected: yes\u2028am Markt"


async def _outbox(runtime: Runtime) -> list[Notification]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return list(await session.scalars(select(Notification).order_by(Notification.created_at)))


async def _swept(runtime: Runtime) -> set[str]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return {job.args[0] for job in await unsent(session, timedelta(0))}


async def _queue_mail(runtime: Runtime, someone: Person, subject: str) -> uuid.UUID:
    """A notification as stored by any earlier version (its subject not cleaned), and its job."""
    notification_id = uuid.uuid4()
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO notifications (id, user_id, kind, subject, body, attempts) "
                "VALUES (:id, :user, 'test', :subject, 'Hallo', 0)"
            ),
            {"id": notification_id, "user": someone.user_id, "subject": subject},
        )
    await runtime.redis.enqueue_job("notifications.deliver", str(notification_id))
    return notification_id


async def test_a_title_with_line_breaks_reaches_the_author_with_a_one_line_subject(
    graphql: GraphQLClient, runtime: Runtime, settings: Settings, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "clara")
    staff = await person(runtime, oidc_provider, "sara", roles_held=((Role.STAFF, "soest"),))
    # A title stored before titles were cleaned at input.
    idea_id = await insert_idea_directly(runtime, author_id=author.user_id, town="soest", title=POISON)
    await runtime.redis.flushdb()
    answered = await graphql(
        ANSWER,
        {"input": {"ideaId": idea_gid(idea_id), "status": "ACCEPTED", "answer": "Machen wir."}},
        headers=staff.headers,
    )
    assert answered["data"]["answerIdea"]["__typename"] == "IdeaAnswered", answered
    await _queue_mail(runtime, author, f"Ihre Idee „{POISON}“")  # an older row, subject uncleaned

    with smtp_inbox() as mailbox:
        await run_worker(runtime, settings, mailbox)

    assert len(mailbox.messages) == 2
    for message in mailbox.messages:
        assert message["To"] == "clara@example.org"
        assert message["Bcc"] is None
        assert message["X-Injected"] is None
        assert "Neue Bänke Bcc: everyone@example.org X-Injected: yes am Markt" in message["Subject"]
        assert not any(char in message["Subject"] for char in "\r\n\u2028")
    rows = await _outbox(runtime)
    assert [(row.attempts, row.sent_at is not None, row.failed_at, row.failure) for row in rows] == [
        (1, True, None, None)
    ] * 2


async def test_a_mail_that_cannot_be_built_is_given_up_at_once_with_the_failure_recorded(
    runtime: Runtime, settings: Settings, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "clara")
    await give_address(runtime, author, "clara@example.org\r\nBcc: everyone@example.org")
    await runtime.redis.flushdb()
    notification_id = await _queue_mail(runtime, author, "Ihre Idee")

    with smtp_inbox() as mailbox:
        await run_worker(runtime, settings, mailbox)
        assert await _swept(runtime) == set()
        await runtime.redis.enqueue_job("notifications.deliver", str(notification_id))
        await run_worker(runtime, settings, mailbox)

    assert mailbox.messages == []
    [row] = await _outbox(runtime)
    assert row.attempts == 1
    assert row.sent_at is None
    assert row.failed_at is not None
    assert row.failure is not None
    assert "Adresse" in row.failure


async def test_a_refusing_mail_server_is_tried_a_bounded_number_of_times_then_given_up(
    runtime: Runtime, settings: Settings, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "clara")
    await runtime.redis.flushdb()
    notification_id = await _queue_mail(runtime, author, "Ihre Idee")
    nobody_listens = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    broken = dataclasses.replace(runtime, settings=nobody_listens)

    for attempt in range(1, MAX_ATTEMPTS + 3):
        if attempt > 1:
            assert await _swept(runtime) == ({str(notification_id)} if attempt <= MAX_ATTEMPTS else set()), attempt
            await runtime.redis.enqueue_job("notifications.deliver", str(notification_id))
        await run_worker(broken, nobody_listens)
        [row] = await _outbox(runtime)
        assert row.attempts == min(attempt, MAX_ATTEMPTS), attempt
        assert row.sent_at is None
        assert row.failure is not None
        assert "Mailserver" in row.failure
        assert (row.failed_at is not None) == (attempt >= MAX_ATTEMPTS), attempt
