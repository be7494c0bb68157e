"""Notifications leave the outbox through a real SMTP server, exactly once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select

from mitmachen.embedded import free_port
from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.notifications.models import Notification
from tests.conftest import GraphQLClient
from tests.support.ideas import publish_directly, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from workers.settings import create_worker

ANSWER = """
mutation Answer($input: AnswerIdeaInput!) { answerIdea(input: $input) { __typename } }
"""


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd API
        content = envelope.content or b""
        self.messages.append(message_from_bytes(content.encode() if isinstance(content, str) else content))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


async def test_an_official_answer_reaches_the_author_by_mail_once(
    graphql: GraphQLClient,
    runtime: Runtime,
    settings: Settings,
    oidc_provider: OidcProvider,
    inbox: tuple[Inbox, int],
) -> None:
    mailbox, port = inbox
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

    mail_settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    mail_runtime = dataclasses.replace(runtime, settings=mail_settings)
    for _ in range(2):  # the second run finds nothing left to send
        await runtime.redis.enqueue_job("notifications.deliver", str(await _notification_id(runtime)))
        worker = create_worker(mail_settings, mail_runtime, burst=True)
        await worker.main()
        await worker.close()

    assert len(mailbox.messages) == 1
    assert "angenommen" in mailbox.messages[0]["Subject"]
    assert mailbox.messages[0]["To"] == "clara@example.org"
    assert "Frühjahr" in mailbox.messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    async with runtime.unit_of_work() as uow, uow.session() as session:
        delivered = await session.scalar(select(Notification.sent_at))
    assert delivered is not None


async def _notification_id(runtime: Runtime) -> object:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(select(Notification.id))
