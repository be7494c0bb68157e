"""Notifications leave the outbox through a real SMTP server, exactly once."""

from __future__ import annotations

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.notifications.models import Notification
from tests.conftest import GraphQLClient
from tests.support.ideas import publish_directly, submit, town_ref
from tests.support.mail import Inbox, run_worker, smtp_inbox
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

ANSWER = """
mutation Answer($input: AnswerIdeaInput!) { answerIdea(input: $input) { __typename } }
"""


async def test_an_official_answer_reaches_the_author_by_mail_once(
    graphql: GraphQLClient,
    runtime: Runtime,
    settings: Settings,
    oidc_provider: OidcProvider,
) -> None:
    author = await person(runtime, oidc_provider, "clara")
    staff = await person(runtime, oidc_provider, "sara", roles_held=((Role.STAFF, "soest"),))
    idea_id = await submit(graphql, author, await town_ref(graphql, "soest"))
    await publish_directly(runtime, idea_id)
    await runtime.redis.flushdb()
    answered = await graphql(
        ANSWER,
        {"input": {"ideaId": idea_id, "status": "ACCEPTED", "answer": "Wir setzen das im Frühjahr um."}},
        headers=staff.headers,
    )
    assert answered["data"]["answerIdea"]["__typename"] == "IdeaAnswered"

    with smtp_inbox() as mailbox:
        for _ in range(2):  # the second run finds nothing left to send
            await runtime.redis.enqueue_job("notifications.deliver", str(await _notification_id(runtime)))
            await run_worker(runtime, settings, mailbox)

    assert len(mailbox.messages) == 1
    assert "angenommen" in mailbox.messages[0]["Subject"]
    assert mailbox.messages[0]["To"] == "clara@example.org"
    assert "Frühjahr" in Inbox.body(mailbox.messages[0])
    async with runtime.unit_of_work() as uow, uow.session() as session:
        delivered = await session.scalar(select(Notification.sent_at))
    assert delivered is not None


async def _notification_id(runtime: Runtime) -> object:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(select(Notification.id))
