"""Sending a town's events to its webhook subscriptions (Standard Webhooks), in order, at least once.

`collect` gives every subscription a delivery row for each new event of its town and types (the body is fixed
then). `send_due` sends, per subscription, only its oldest pending delivery: the next event goes out after the
previous one succeeded or was given up. A failed attempt is retried after `RETRY_SCHEDULE`; after the last retry
the delivery is given up, the subscription disabled and the town's admins notified.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import ssl
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import ColumnElement, delete, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.models import RoleGrant
from service.auth.viewer import Role
from service.events.log import logged
from service.events.models import Event
from service.notifications.service import notify
from service.towns.models import Town
from service.webhooks.addresses import RefusedAddress, resolve
from service.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookDelivery, WebhookSubscription

# Waits before the 2nd, 3rd, … attempt: the last retry is about 28 hours after the first attempt.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
TIMEOUT_SECONDS = 10.0
MAX_RESPONSE_BYTES = 1024
COLLECT_BATCH = 500
# Finished deliveries are kept as long as events are.
KEPT_FOR = timedelta(days=30)


def webhook_id(sequence: int) -> str:
    """Stable per event, the same for every attempt and subscription: receivers deduplicate with it."""
    return f"evt_{sequence}"


def sign(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the decoded `whsec_` secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signatures(subscription: WebhookSubscription, message_id: str, timestamp: int, body: str, now: datetime) -> str:
    """Space-separated: the current secret's, and during the 24 hours after a rotation the old secret's too."""
    found = [sign(subscription.secret, message_id, timestamp, body)]
    if subscription.previous_secret and subscription.previous_secret_until and subscription.previous_secret_until > now:
        found.append(sign(subscription.previous_secret, message_id, timestamp, body))
    return " ".join(found)


def _of_town(town_id: uuid.UUID | None) -> ColumnElement[bool]:
    """Subscriptions that take a town's events: the town's own and the region-wide ones; None: all."""
    if town_id is None:
        return true()
    return (WebhookSubscription.town_id == town_id) | WebhookSubscription.town_id.is_(None)


async def collect(session: AsyncSession, town_id: uuid.UUID | None = None) -> int:
    """Give each subscription (paused and disabled ones too, so resuming sends what came meanwhile) a delivery per
    new event of its town and types. Events commit in sequence order, so nothing below the end read is missed.
    Finished deliveries older than 30 days are deleted. `town_id`: only the subscriptions taking that town's
    events."""
    await session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status != DeliveryStatus.PENDING.value,
            WebhookDelivery.created_at <= func.now() - KEPT_FOR,
        )
    )
    end = await session.scalar(select(func.coalesce(func.max(Event.sequence), 0)))
    made = 0
    subscriptions = (
        await session.scalars(
            select(WebhookSubscription)
            .where(WebhookSubscription.last_sequence < (end or 0), _of_town(town_id))
            .with_for_update(skip_locked=True)
        )
    ).all()
    for subscription in subscriptions:
        rows = (
            await session.execute(
                select(Event)
                .where(
                    true() if subscription.town_id is None else Event.town_id == subscription.town_id,
                    Event.type.in_(subscription.event_types),
                    Event.sequence > subscription.last_sequence,
                    Event.sequence <= (end or 0),
                )
                .order_by(Event.sequence)
                .limit(COLLECT_BATCH)
            )
        ).all()
        for (event,) in rows:
            session.add(
                WebhookDelivery(
                    id=uuid.uuid4(),
                    subscription_id=subscription.id,
                    sequence=event.sequence,
                    event_type=event.type,
                    body="",
                    status=DeliveryStatus.PENDING.value,
                    attempts=0,
                )
            )
            made += 1
        # A full batch continues at its last event next time; otherwise everything up to the end is seen.
        subscription.last_sequence = rows[-1][0].sequence if len(rows) == COLLECT_BATCH else (end or 0)
    await session.flush()
    return made


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    body: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@functools.cache
def _public_tls() -> ssl.SSLContext:
    """The certificate check against the public authorities, made once: loading them for every request cost about
    100 ms of CPU, more than all the rest of an attempt."""
    return httpx.create_ssl_context()


async def post(
    url: str, headers: dict[str, str], body: str, *, allow_loopback: bool, verify: ssl.SSLContext | None = None
) -> Answer:
    """POST to the address the host was checked to have (the Host header and the TLS name, checked against the
    certificate, stay the URL's), no redirects followed, 10 s timeout, at most 1 kB of the answer kept. `verify`:
    the authorities to check the certificate against (default: the public ones)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = await resolve(host, port, allow_loopback=allow_loopback)
    except RefusedAddress as refused:
        return Answer(None, None, str(refused)[:200])
    literal = f"[{address}]" if address.version == 6 else str(address)
    target = urlunsplit((parts.scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
    host_header = parts.netloc  # as in the URL (user info is refused when the URL is set)
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=TIMEOUT_SECONDS, trust_env=False, verify=verify or _public_tls()
        ) as client:
            request = client.build_request(
                "POST",
                target,
                content=body.encode(),
                headers={**headers, "host": host_header, "content-type": "application/json"},
                extensions=extensions,
            )
            response = await client.send(request, stream=True)
            try:
                kept = b""
                async for chunk in response.aiter_raw():
                    kept += chunk
                    if len(kept) >= MAX_RESPONSE_BYTES:
                        break
            finally:
                await response.aclose()
    except httpx.HTTPError as error:
        return Answer(None, None, (type(error).__name__ + ": " + str(error))[:200])
    return Answer(response.status_code, kept[:MAX_RESPONSE_BYTES].decode("utf-8", "replace"), None)


async def _admins(session: AsyncSession, town_id: uuid.UUID | None) -> Sequence[uuid.UUID]:
    """The town's admins; when it has none (or the subscription is region-wide), the region admins."""
    conditions = [(RoleGrant.role == Role.REGION_ADMIN.value) & RoleGrant.town_id.is_(None)]
    if town_id is not None:
        conditions.insert(0, (RoleGrant.role == Role.ADMIN.value) & (RoleGrant.town_id == town_id))
    for condition in conditions:
        found = (await session.scalars(select(RoleGrant.user_id).where(condition).distinct())).all()
        if found:
            return found
    return []


async def _give_up(session: AsyncSession, subscription: WebhookSubscription, delivery: WebhookDelivery) -> None:
    subscription.status = SubscriptionStatus.DISABLED.value
    record(
        session,
        None,
        action="webhook.disabled",
        subject_type="webhook_subscription",
        subject_id=subscription.id,
        town_id=subscription.town_id,
        reason=f"Zustellung von Ereignis {delivery.sequence} nach {delivery.attempts} Versuchen aufgegeben",
    )
    for user_id in await _admins(session, subscription.town_id):
        notify(
            session,
            user_id=user_id,
            kind="webhook.disabled",
            subject="Webhook abgeschaltet",
            body=(
                f"Der Webhook an {subscription.url} hat über einen Tag lang nicht geantwortet "
                f"(zuletzt: {delivery.response_code or delivery.error or 'keine Antwort'}). Er ist abgeschaltet; "
                "mit resumeWebhookSubscription wird er wieder eingeschaltet und sendet dann, was liegen blieb."
            ),
        )


async def send_next(
    session: AsyncSession,
    subscription_id: uuid.UUID,
    *,
    allow_loopback: bool,
    schedule: Sequence[timedelta] = RETRY_SCHEDULE,
) -> bool:
    """One attempt at the subscription's oldest pending delivery, if it is due; True when one was made. The
    subscription stays locked meanwhile, so no other worker sends for it at the same time."""
    subscription = await session.scalar(
        select(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id, WebhookSubscription.status == SubscriptionStatus.ACTIVE.value)
        .with_for_update(skip_locked=True)
    )
    if subscription is None:
        return False
    delivery = await session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == DeliveryStatus.PENDING.value
        )
        .order_by(WebhookDelivery.sequence)
        .limit(1)
    )
    now = datetime.now(UTC)
    if delivery is None or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now):
        return False
    # Built from the event as it is now: a tombstone written since has emptied its data, and that is what is sent.
    event = (
        await session.execute(
            select(Event, Town.slug)
            .outerjoin(Town, Town.id == Event.town_id)
            .where(Event.sequence == delivery.sequence)
        )
    ).first()
    if event is None:
        delivery.status = DeliveryStatus.FAILED.value
        delivery.error = "Das Ereignis ist nicht mehr gespeichert (älter als 30 Tage)."
        await session.flush()
        return True
    delivery.body = json.dumps(logged(*event).payload(), ensure_ascii=False, separators=(",", ":"))
    message_id = webhook_id(delivery.sequence)
    timestamp = int(time.time())
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(subscription, message_id, timestamp, delivery.body, now),
    }
    answer = await post(subscription.url, headers, delivery.body, allow_loopback=allow_loopback)
    delivery.attempts += 1
    delivery.last_attempt_at = datetime.now(UTC)
    delivery.response_code = answer.status_code
    delivery.response_body = answer.body
    delivery.error = answer.error
    if answer.succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED.value
    elif delivery.attempts > len(schedule):
        delivery.status = DeliveryStatus.FAILED.value
        await _give_up(session, subscription, delivery)
    else:
        delivery.next_attempt_at = delivery.last_attempt_at + schedule[delivery.attempts - 1]
    # Only an event's current public facts are kept, and only while they may still be sent.
    delivery.body = ""
    if delivery.status != DeliveryStatus.PENDING.value:
        delivery.next_attempt_at = None
    await session.flush()
    return True


async def due_subscriptions(session: AsyncSession, town_id: uuid.UUID | None = None) -> Sequence[uuid.UUID]:
    """Active subscriptions with a pending delivery (`town_id`: of those taking that town's events)."""
    return (
        await session.scalars(
            select(WebhookSubscription.id)
            .where(
                WebhookSubscription.status == SubscriptionStatus.ACTIVE.value,
                _of_town(town_id),
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.subscription_id == WebhookSubscription.id,
                    WebhookDelivery.status == DeliveryStatus.PENDING.value,
                )
                .exists(),
            )
            .order_by(WebhookSubscription.id)
        )
    ).all()
