"""Delivering notifications by e-mail. Idempotent: a notification is sent once, then marked as sent."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.jobs import Job
from service.notifications.models import Notification
from service.users.models import User

SMTP_TIMEOUT_SECONDS = 10


def _send(smtp_url: str, sender: str, recipient: str, subject: str, body: str) -> None:
    parts = urlsplit(smtp_url)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, recipient, subject
    message.set_content(body)
    connection_type = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with connection_type(parts.hostname or "127.0.0.1", parts.port or 25, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


async def deliver(session: AsyncSession, *, notification_id: uuid.UUID, smtp_url: str | None, sender: str) -> str:
    """Send one notification, holding its row lock so that two workers never send it twice.

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
    notification.attempts += 1
    if email and deleted_at is None and smtp_url:
        await asyncio.to_thread(_send, smtp_url, sender, email, notification.subject, notification.body)
        outcome = "sent"
    else:
        outcome = "no address" if not email or deleted_at else "no mail server configured"
    notification.sent_at = func.now()
    return outcome


async def unsent(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Sweeper: notifications not delivered after `older_than` are sent again (at most 10 attempts)."""
    ids = await session.scalars(
        select(Notification.id).where(
            Notification.sent_at.is_(None),
            Notification.attempts < 10,
            Notification.created_at < func.now() - older_than,
        )
    )
    return [Job("notifications.deliver", (str(notification_id),)) for notification_id in ids]
