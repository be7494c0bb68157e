"""`notifications.deliver`: e-mail one notification from the outbox."""

from __future__ import annotations

from typing import Any

from service.notifications.delivery import count_attempt
from service.notifications.delivery import deliver as deliver_notification
from service.notifications.jobs import NotificationRef
from workers.context import runtime_of, unit_of_work


async def deliver(ctx: dict[str, Any], notification: NotificationRef) -> str:
    settings = runtime_of(ctx).settings
    key = notification.notification_id
    # The attempt is committed first, so that neither a failure nor a killed worker can make it uncounted.
    async with unit_of_work(ctx) as uow, uow.session() as session:
        if not await count_attempt(session, notification_id=key):
            return "nothing to send"
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await deliver_notification(
            session, notification_id=key, smtp_url=settings.smtp_url, sender=settings.mail_from
        )
