from __future__ import annotations

import uuid

import strawberry
from strawberry.relay import to_base64

from schema.ids import TownId, WebhookSubscriptionId
from schema.mutation import Call, mutation
from schema.webhooks.types import WebhookSubscriptionType
from service.config import Environment
from service.webhooks import subscriptions


@strawberry.input(description="Send a town's (or, without town, the whole region's) events of these types to a URL.")
class CreateWebhookSubscriptionInput:
    town_id: TownId | None = strawberry.field(
        default=None, description="Left out: every town's events (region admins only)."
    )
    url: str = strawberry.field(description="https; plain http only to loopback in dev and test.")
    event_types: list[str] = strawberry.field(description="1 to 20 event types, e.g. `idea.published`.")


@strawberry.input(description="Change the URL or the event types (what is left out stays).")
class UpdateWebhookSubscriptionInput:
    subscription_id: WebhookSubscriptionId
    url: str | None = None
    event_types: list[str] | None = None


@strawberry.type(description="The subscription and its secret, shown this once only.")
class WebhookSubscriptionCreated:
    subscription: WebhookSubscriptionType
    secret: str = strawberry.field(description="`whsec_…`: verify the `webhook-signature` with it.")


@strawberry.type(description="The subscription as it is now.")
class WebhookSubscriptionChanged:
    subscription: WebhookSubscriptionType


@strawberry.type(description="The new secret, shown this once; the old one keeps signing for 24 hours.")
class WebhookSecretRotated:
    subscription: WebhookSubscriptionType
    secret: str


@strawberry.type(description="The subscription and its deliveries are gone.")
class WebhookSubscriptionDeleted:
    subscription_id: strawberry.ID


def _loopback_allowed(call: Call) -> bool:
    return call.info.context.settings.environment in (Environment.DEV, Environment.TEST)


async def _set_status(call: Call, subscription_id: uuid.UUID, *, active: bool) -> WebhookSubscriptionChanged:
    changed = await subscriptions.set_status(call.session, call.viewer, subscription_id=subscription_id, active=active)
    return WebhookSubscriptionChanged(subscription=WebhookSubscriptionType.from_row(changed))


_CHANGED = "ChangeWebhookSubscriptionResult"


@strawberry.type
class WebhookMutations:
    @mutation("Subscribe an https endpoint to a town's events (the town's admins, region admins).")
    async def create_webhook_subscription(
        call: Call, input: CreateWebhookSubscriptionInput
    ) -> WebhookSubscriptionCreated:
        created = await subscriptions.create(
            call.session, call.viewer, **vars(input), allow_loopback=_loopback_allowed(call)
        )
        await call.session.refresh(created.subscription)
        return WebhookSubscriptionCreated(
            subscription=WebhookSubscriptionType.from_row(created.subscription), secret=created.secret
        )

    @mutation("Change a subscription's URL or event types.", result=_CHANGED)
    async def update_webhook_subscription(
        call: Call, input: UpdateWebhookSubscriptionInput
    ) -> WebhookSubscriptionChanged:
        changed = await subscriptions.update(
            call.session, call.viewer, **vars(input), allow_loopback=_loopback_allowed(call)
        )
        return WebhookSubscriptionChanged(subscription=WebhookSubscriptionType.from_row(changed))

    @mutation("Stop sending for now; events keep being collected and go out on resume.", result=_CHANGED)
    async def pause_webhook_subscription(
        call: Call, subscription_id: WebhookSubscriptionId
    ) -> WebhookSubscriptionChanged:
        return await _set_status(call, subscription_id, active=False)

    @mutation("Send again (also after it was disabled for failed deliveries).", result=_CHANGED)
    async def resume_webhook_subscription(
        call: Call, subscription_id: WebhookSubscriptionId
    ) -> WebhookSubscriptionChanged:
        return await _set_status(call, subscription_id, active=True)

    @mutation("A new secret; for 24 hours both the old and the new one sign each message.")
    async def rotate_webhook_secret(call: Call, subscription_id: WebhookSubscriptionId) -> WebhookSecretRotated:
        rotated = await subscriptions.rotate_secret(call.session, call.viewer, subscription_id=subscription_id)
        return WebhookSecretRotated(
            subscription=WebhookSubscriptionType.from_row(rotated.subscription), secret=rotated.secret
        )

    @mutation("Delete a subscription.")
    async def delete_webhook_subscription(
        call: Call, subscription_id: WebhookSubscriptionId
    ) -> WebhookSubscriptionDeleted:
        await subscriptions.delete(call.session, call.viewer, subscription_id=subscription_id)
        return WebhookSubscriptionDeleted(
            subscription_id=strawberry.ID(to_base64("WebhookSubscription", subscription_id))
        )
