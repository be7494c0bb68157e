"""A real SMTP server in the test process (aiosmtpd) and a burst worker that delivers the outbox to it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import text

from mitmachen.embedded import free_port
from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.people import Person
from workers.settings import create_worker


class Inbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd API
        content = envelope.content or b""
        raw = content.encode() if isinstance(content, str) else content
        # The default policy decodes headers (subjects with „“ arrive RFC 2047 encoded).
        self.messages.append(message_from_bytes(raw, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]

    @staticmethod
    def body(message: Message) -> str:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    inbox = Inbox(free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


async def run_worker(runtime: Runtime, settings: Settings, inbox: Inbox | None = None) -> None:
    """Run every queued job once (burst), delivering mail to `inbox` when given."""
    if inbox is not None:
        settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{inbox.port}"})
        runtime = dataclasses.replace(runtime, settings=settings)
    worker = create_worker(settings, runtime, burst=True)
    await worker.main()
    await worker.close()


async def give_address(runtime: Runtime, someone: Person, email: str) -> None:
    """An e-mail address for a person (the test provider only has addresses for a few accounts)."""
    async with runtime.engine.begin() as connection:
        changed = await connection.execute(
            text("UPDATE users SET email = :email WHERE id = :id"), {"email": email, "id": someone.user_id}
        )
    assert changed.rowcount == 1
