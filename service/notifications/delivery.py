"""Delivering notifications by e-mail. Idempotent: a notification is sent once, then marked as sent."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.jobs import Job
from service.kit.text import one_line
from service.notifications.jobs import DELIVER, NotificationRef
from service.notifications.models import Notification
from service.users.models import User

SMTP_TIMEOUT_SECONDS = 10
# Attempts before delivery is given up (the sweep resends a failed attempt after MITMACHEN_SWEEP_AFTER_SECONDS).
MAX_ATTEMPTS = 10
FAILURE_MAX_LENGTH = 500


class Undeliverable(Exception):
    """The message cannot be built from what is stored (e.g. a broken address): trying again cannot help."""


def build_message(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """The e-mail; the subject is made one line, an address with a line break or control character is refused."""
    for address in (sender, recipient):
        if one_line(address) != address:
            raise Undeliverable(f"Die E-Mail lässt sich nicht bilden: ungültige Adresse {address!r}")
    message = EmailMessage()
    try:
        message["From"], message["To"], message["Subject"] = sender, recipient, one_line(subject)
    except ValueError as error:
        raise Undeliverable(f"Die E-Mail lässt sich nicht bilden: {error}") from None
    message.set_content(body)
    return message


def _send(smtp_url: str, message: EmailMessage) -> None:
    parts = urlsplit(smtp_url)
    connection_type = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with connection_type(parts.hostname or "127.0.0.1", parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


async def count_attempt(session: AsyncSession, *, notification_id: uuid.UUID) -> bool:
    """Count the coming attempt, in a transaction of its own that the caller commits before sending.

    A failure of the attempt then cannot roll the count back, so the sweep stops after MAX_ATTEMPTS. False when
    there is nothing to attempt (unknown, sent, or given up).
    """
    counted = await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None), Notification.failed_at.is_(None))
        .values(attempts=Notification.attempts + 1)
    )
    return bool(getattr(counted, "rowcount", 0))


def _fail(notification: Notification, reason: str, *, give_up: bool) -> None:
    notification.failure = reason[:FAILURE_MAX_LENGTH]
    if give_up:
        notification.failed_at = func.now()


async def deliver(session: AsyncSession, *, notification_id: uuid.UUID, smtp_url: str | None, sender: str) -> str:
    """Send one notification, holding its row lock so that two workers never send it twice.

    The attempt was counted before (`count_attempt`). A failure is recorded on the row and the transaction
    commits: a message that cannot be built is given up at once, a failing mail server after MAX_ATTEMPTS.
    Without an SMTP server configured (development), the notification is marked as delivered unsent.
    """
    row = (
        await session.execute(
            select(Notification, User.email, User.deleted_at)
            .join(User, User.id == Notification.user_id)
            .where(Notification.id == notification_id)
            .with_for_update(of=Notification)
        )
    ).one_or_none()
    if row is None:
        return "unknown"
    notification, email, deleted_at = row
    if notification.sent_at is not None:
        return "already sent"
    if notification.failed_at is not None:
        return "given up"
    if email and deleted_at is None and smtp_url:
        try:
            message = build_message(sender, email, notification.subject, notification.body)
            await asyncio.to_thread(_send, smtp_url, message)
        except Undeliverable as error:
            _fail(notification, str(error), give_up=True)
            return "given up"
        except (OSError, smtplib.SMTPException) as error:
            give_up = notification.attempts >= MAX_ATTEMPTS
            _fail(
                notification, f"Der Mailserver hat nicht angenommen: {type(error).__name__}: {error}", give_up=give_up
            )
            return "given up" if give_up else "failed, will retry"
        outcome = "sent"
    else:
        outcome = "no address" if not email or deleted_at else "no mail server configured"
    notification.sent_at = func.now()
    notification.failure = None
    return outcome


async def unsent(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Sweeper: notifications not delivered after `older_than` are sent again (at most MAX_ATTEMPTS attempts)."""
    ids = await session.scalars(
        select(Notification.id).where(
            Notification.sent_at.is_(None),
            Notification.failed_at.is_(None),
            Notification.attempts < MAX_ATTEMPTS,
            Notification.created_at < func.now() - older_than,
        )
    )
    return [DELIVER(NotificationRef(notification_id)) for notification_id in ids]
