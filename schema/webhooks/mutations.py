from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.permissions import Authenticated
from schema.webhooks.types import WebhookSubscriptionType
from service.config import Environment
from service.webhooks import subscriptions


@strawberry.input(description="Send a town's (or, without town, the whole region's) events of these types to a URL.")
class CreateWebhookSubscriptionInput:
    town_id: strawberry.ID | None = strawberry.field(
        default=None, description="Left out: every town's events (region admins only)."
    )
    url: str = strawberry.field(description="https; plain http only to loopback in dev and test.")
    event_types: list[str] = strawberry.field(description="1 to 20 event types, e.g. `idea.published`.")


@strawberry.input(description="Change the URL or the event types (what is left out stays).")
class UpdateWebhookSubscriptionInput:
    subscription_id: strawberry.ID
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


CreateResult = Annotated[
    WebhookSubscriptionCreated | InvalidInput | NotFoundError, strawberry.union("CreateWebhookSubscriptionResult")
]
ChangeResult = Annotated[
    WebhookSubscriptionChanged | InvalidInput | NotFoundError, strawberry.union("ChangeWebhookSubscriptionResult")
]
RotateResult = Annotated[
    WebhookSecretRotated | InvalidInput | NotFoundError, strawberry.union("RotateWebhookSecretResult")
]
DeleteResult = Annotated[
    WebhookSubscriptionDeleted | InvalidInput | NotFoundError, strawberry.union("DeleteWebhookSubscriptionResult")
]


def _loopback_allowed(info: Info) -> bool:
    return info.context.settings.environment in (Environment.DEV, Environment.TEST)


def _id(value: strawberry.ID) -> uuid.UUID:
    return decode_id(value, "WebhookSubscription", field="subscriptionId")


async def _set_status(info: Info, subscription_id: strawberry.ID, *, active: bool) -> ChangeResult:
    async def action(session: AsyncSession) -> WebhookSubscriptionChanged:
        changed = await subscriptions.set_status(
            session, info.context.viewer, subscription_id=_id(subscription_id), active=active
        )
        return WebhookSubscriptionChanged(subscription=WebhookSubscriptionType.from_row(changed))

    return await run_mutation(info, action)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Subscribe an https endpoint to a town's events (the town's admins, region admins).",
        permission_classes=[Authenticated],
    )
    async def create_webhook_subscription(self, info: Info, input: CreateWebhookSubscriptionInput) -> CreateResult:
        async def action(session: AsyncSession) -> WebhookSubscriptionCreated:
            created = await subscriptions.create(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId") if input.town_id else None,
                url=input.url,
                event_types=input.event_types,
                allow_loopback=_loopback_allowed(info),
            )
            await session.refresh(created.subscription)
            return WebhookSubscriptionCreated(
                subscription=WebhookSubscriptionType.from_row(created.subscription), secret=created.secret
            )

        return await run_mutation(info, action)

    @strawberry.mutation(description="Change a subscription's URL or event types.", permission_classes=[Authenticated])
    async def update_webhook_subscription(self, info: Info, input: UpdateWebhookSubscriptionInput) -> ChangeResult:
        async def action(session: AsyncSession) -> WebhookSubscriptionChanged:
            changed = await subscriptions.update(
                session,
                info.context.viewer,
                subscription_id=_id(input.subscription_id),
                url=input.url,
                event_types=input.event_types,
                allow_loopback=_loopback_allowed(info),
            )
            return WebhookSubscriptionChanged(subscription=WebhookSubscriptionType.from_row(changed))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Stop sending for now; events keep being collected and go out on resume.",
        permission_classes=[Authenticated],
    )
    async def pause_webhook_subscription(self, info: Info, subscription_id: strawberry.ID) -> ChangeResult:
        return await _set_status(info, subscription_id, active=False)

    @strawberry.mutation(
        description="Send again (also after it was disabled for failed deliveries).",
        permission_classes=[Authenticated],
    )
    async def resume_webhook_subscription(self, info: Info, subscription_id: strawberry.ID) -> ChangeResult:
        return await _set_status(info, subscription_id, active=True)

    @strawberry.mutation(
        description="A new secret; for 24 hours both the old and the new one sign each message.",
        permission_classes=[Authenticated],
    )
    async def rotate_webhook_secret(self, info: Info, subscription_id: strawberry.ID) -> RotateResult:
        async def action(session: AsyncSession) -> WebhookSecretRotated:
            rotated = await subscriptions.rotate_secret(
                session, info.context.viewer, subscription_id=_id(subscription_id)
            )
            return WebhookSecretRotated(
                subscription=WebhookSubscriptionType.from_row(rotated.subscription), secret=rotated.secret
            )

        return await run_mutation(info, action)

    @strawberry.mutation(description="Delete a subscription.", permission_classes=[Authenticated])
    async def delete_webhook_subscription(self, info: Info, subscription_id: strawberry.ID) -> DeleteResult:
        async def action(session: AsyncSession) -> WebhookSubscriptionDeleted:
            await subscriptions.delete(session, info.context.viewer, subscription_id=_id(subscription_id))
            return WebhookSubscriptionDeleted(subscription_id=subscription_id)

        return await run_mutation(info, action)
