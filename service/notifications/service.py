"""Notifications are written in the transaction of the event that causes them and delivered by a worker."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.jobs import request_job
from service.kit.text import one_line
from service.notifications.jobs import DELIVER, NotificationRef
from service.notifications.models import Notification

SUBJECT_MAX = 200


def notify(session: AsyncSession, *, user_id: uuid.UUID, kind: str, subject: str, body: str) -> Notification:
    """An e-mail for the outbox; the subject becomes one line (titles and names must never break the header)."""
    notification = Notification(
        id=uuid.uuid4(), user_id=user_id, kind=kind, subject=one_line(subject)[:SUBJECT_MAX], body=body
    )
    session.add(notification)
    request_job(session, DELIVER(NotificationRef(notification.id)))
    return notification
