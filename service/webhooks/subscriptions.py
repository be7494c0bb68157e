"""Managing a town's webhook subscriptions: its admins (and region admins) only, every change audited."""

from __future__ import annotations

import base64
import ipaddress
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Role, Viewer
from service.events.log import MAX_TYPES, EventType
from service.events.models import Event
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.towns.errors import TownErrorCode
from service.towns.models import Town
from service.webhooks.errors import WebhookErrorCode
from service.webhooks.models import SubscriptionStatus, WebhookDelivery, WebhookSubscription

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, no secret
SECRET_BYTES = 32
# After a rotation the old secret keeps signing this long, so receivers can switch without losing a message.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL_LENGTH = 2000
RECENT_DELIVERIES = 20


def new_secret() -> str:
    """Standard Webhooks: `whsec_` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_loopback: bool) -> str:
    """https only; plain http only to a loopback host, and only when `allow_loopback` (dev and test)."""
    refused = UserError(
        WebhookErrorCode.WEBHOOK_URL_INVALID,
        "Bitte eine https-Adresse ohne Zugangsdaten angeben (höchstens 2000 Zeichen).",
        field="url",
    )
    if len(url) > MAX_URL_LENGTH or any(character.isspace() for character in url):
        raise refused
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises for a port out of range
    except ValueError:
        raise refused from None
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise refused
    if parts.scheme == "https":
        return url
    if parts.scheme == "http" and allow_loopback and is_loopback_host(host):
        return url
    raise refused


def check_types(types: Sequence[str]) -> list[str]:
    known = {member.value for member in EventType}
    unknown = sorted({value for value in types if value not in known})
    if unknown:
        raise UserError(
            WebhookErrorCode.UNKNOWN_EVENT_TYPE,
            f"Unbekannte Ereignisart: {', '.join(unknown)[:200]}. Bekannt sind: {', '.join(sorted(known))}.",
            field="eventTypes",
        )
    if not 1 <= len(types) <= MAX_TYPES:
        raise UserError(
            WebhookErrorCode.UNKNOWN_EVENT_TYPE, f"Bitte 1 bis {MAX_TYPES} Ereignisarten angeben.", field="eventTypes"
        )
    return sorted(set(types))


def can_manage(viewer: Viewer, town_id: uuid.UUID | None) -> bool:
    """A town's admins and region admins (admins of every town); region-wide subscriptions region admins only."""
    if town_id is None:
        return viewer.is_region_admin
    return viewer.has_role(Role.ADMIN, town_id)


async def _check_town(session: AsyncSession, viewer: Viewer, town_id: uuid.UUID | None) -> None:
    viewer.require_person()
    if not can_manage(viewer, town_id):
        raise PermissionDenied(
            "Webhooks einer Stadt verwalten nur deren Administratorinnen und Administratoren, "
            "Webhooks der ganzen Region die der Region."
        )
    if town_id is not None and await session.get(Town, town_id) is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townId")


async def _subscription(session: AsyncSession, viewer: Viewer, subscription_id: uuid.UUID) -> WebhookSubscription:
    """Locked for the change; one the caller may not manage does not exist for them."""
    viewer.require_person()
    found = await session.get(WebhookSubscription, subscription_id, with_for_update=True)
    if found is None or not can_manage(viewer, found.town_id):
        raise NotFound(
            WebhookErrorCode.UNKNOWN_WEBHOOK_SUBSCRIPTION,
            "Dieses Webhook-Abonnement gibt es nicht.",
            field="subscriptionId",
        )
    return found


def _describe(subscription: WebhookSubscription) -> dict[str, object]:
    """What the audit log keeps: never a secret."""
    return {"url": subscription.url, "event_types": list(subscription.event_types), "status": subscription.status}


def _audit(
    session: AsyncSession,
    viewer: Viewer,
    subscription: WebhookSubscription,
    action: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    record(
        session,
        viewer,
        action=f"webhook.{action}",
        subject_type="webhook_subscription",
        subject_id=subscription.id,
        town_id=subscription.town_id,
        before=before,
        after=after,
    )


@dataclass(frozen=True)
class WithSecret:
    subscription: WebhookSubscription
    secret: str


async def create(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID | None,
    url: str,
    event_types: Sequence[str],
    allow_loopback: bool,
) -> WithSecret:
    """The secret is returned here once and never shown again. Delivery starts with the next event."""
    await _check_town(session, viewer, town_id)
    checked_url = check_url(url, allow_loopback=allow_loopback)
    types = check_types(event_types)
    secret = new_secret()
    last = await session.scalar(select(func.coalesce(func.max(Event.sequence), 0)))
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        town_id=town_id,
        url=checked_url,
        event_types=types,
        status=SubscriptionStatus.ACTIVE.value,
        secret=secret,
        last_sequence=last or 0,
    )
    session.add(subscription)
    await session.flush()
    _audit(session, viewer, subscription, "created", after=_describe(subscription))
    return WithSecret(subscription, secret)


async def update(
    session: AsyncSession,
    viewer: Viewer,
    *,
    subscription_id: uuid.UUID,
    url: str | None,
    event_types: Sequence[str] | None,
    allow_loopback: bool,
) -> WebhookSubscription:
    subscription = await _subscription(session, viewer, subscription_id)
    before = _describe(subscription)
    if url is not None:
        subscription.url = check_url(url, allow_loopback=allow_loopback)
    if event_types is not None:
        subscription.event_types = check_types(event_types)
    _audit(session, viewer, subscription, "updated", before=before, after=_describe(subscription))
    await session.flush()
    return subscription


async def set_status(
    session: AsyncSession, viewer: Viewer, *, subscription_id: uuid.UUID, active: bool
) -> WebhookSubscription:
    """Pause, or resume (also a subscription disabled after failed deliveries: its pending deliveries go on)."""
    subscription = await _subscription(session, viewer, subscription_id)
    before = _describe(subscription)
    wanted = SubscriptionStatus.ACTIVE if active else SubscriptionStatus.PAUSED
    if subscription.status != wanted.value:
        subscription.status = wanted.value
        _audit(
            session,
            viewer,
            subscription,
            "resumed" if active else "paused",
            before=before,
            after=_describe(subscription),
        )
        await session.flush()
    return subscription


async def rotate_secret(session: AsyncSession, viewer: Viewer, *, subscription_id: uuid.UUID) -> WithSecret:
    """A new secret; the old one keeps signing (both signatures sent) for 24 hours."""
    subscription = await _subscription(session, viewer, subscription_id)
    secret = new_secret()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_until = datetime.now(UTC) + ROTATION_OVERLAP
    subscription.secret = secret
    _audit(session, viewer, subscription, "secret_rotated")
    await session.flush()
    return WithSecret(subscription, secret)


async def delete(session: AsyncSession, viewer: Viewer, *, subscription_id: uuid.UUID) -> uuid.UUID:
    subscription = await _subscription(session, viewer, subscription_id)
    _audit(session, viewer, subscription, "deleted", before=_describe(subscription))
    await session.delete(subscription)
    await session.flush()
    return subscription_id


async def of_town(session: AsyncSession, viewer: Viewer, town_id: uuid.UUID | None) -> Sequence[WebhookSubscription]:
    """A town's subscriptions, or (town None) the region-wide ones."""
    viewer.require_person()
    if not can_manage(viewer, town_id):
        raise PermissionDenied("Diese Webhooks sehen nur die Administratorinnen und Administratoren.")
    rows = await session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.town_id.is_(None) if town_id is None else WebhookSubscription.town_id == town_id)
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    )
    return rows.all()


async def recent_deliveries(session: AsyncSession, subscription_id: uuid.UUID) -> Sequence[WebhookDelivery]:
    rows = await session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.sequence.desc())
        .limit(RECENT_DELIVERIES)
    )
    return rows.all()
