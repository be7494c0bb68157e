"""Notifications' job: e-mailing one notification from the outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from service.kit.jobs import JobType


@dataclass(frozen=True)
class NotificationRef:
    notification_id: uuid.UUID


DELIVER = JobType("notifications.deliver", NotificationRef)
