"""Webhook subscriptions of a town and their deliveries (one per subscription and event)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ARRAY, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base, CreatedAtMixin, IdMixin


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    # Given up after the last retry; resuming makes it active again.
    DISABLED = "disabled"


class WebhookSubscription(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "webhook_subscriptions"

    # None: every town of the region (region admins only).
    town_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("towns.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    status: Mapped[str] = mapped_column(String(16), default=SubscriptionStatus.ACTIVE.value)
    secret: Mapped[str] = mapped_column(String(80))
    # After a rotation the old secret signs too, until `previous_secret_until`.
    previous_secret: Mapped[str | None] = mapped_column(String(80))
    previous_secret_until: Mapped[datetime | None]
    # Events up to this sequence have been given a delivery (the subscription starts after the log's end).
    last_sequence: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (Index(None, "town_id"),)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookDelivery(IdMixin, CreatedAtMixin, Base):
    """One event for one subscription. The body is built from the event at each attempt (so a tombstone's emptying
    applies) and not kept afterwards; an event purged after 30 days is given up."""

    __tablename__ = "webhook_deliveries"

    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    response_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("subscription_id", "sequence"),
        Index(None, "subscription_id", "status", "sequence"),
    )
