from __future__ import annotations

import strawberry

from schema.context import Info
from schema.permissions import Authenticated
from schema.webhooks.types import WebhookSubscriptionType
from service.webhooks.subscriptions import of_town


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        description="The region-wide webhook subscriptions (all towns' events) with their latest deliveries; region "
        "admins only. A town's own are `town(slug).webhookSubscriptions`.",
        permission_classes=[Authenticated],
    )
    async def region_webhook_subscriptions(self, info: Info) -> list[WebhookSubscriptionType]:
        async with info.context.uow.session() as session:
            rows = await of_town(session, info.context.viewer, None)
        return [WebhookSubscriptionType.from_row(row) for row in rows]
