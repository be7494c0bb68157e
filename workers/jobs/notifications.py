"""`notifications.deliver`: e-mail one notification from the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from service.notifications.delivery import deliver as deliver_notification
from workers.context import runtime_of, unit_of_work


async def deliver(ctx: dict[str, Any], notification_id: str) -> str:
    settings = runtime_of(ctx).settings
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await deliver_notification(
            session, notification_id=uuid.UUID(notification_id), smtp_url=settings.smtp_url, sender=settings.mail_from
        )
