"""Webhook subscriptions made through the API, events written as changes write them, what a receiver got."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.events.log import EventType, record
from service.towns.models import Town
from tests.conftest import GraphQLClient
from tests.service.webhooks.receiver import Received
from tests.support.ideas import town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

CREATE = """mutation C($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
  __typename ... on UserError { code message } ... on WebhookSubscriptionCreated { secret subscription { id } } } }"""


async def town_admin(runtime: Runtime, provider: OidcProvider, town: str) -> Person:
    return await person(runtime, provider, f"admin-{town}", roles_held=((Role.ADMIN, town),))


async def subscribe(
    graphql: GraphQLClient, admin: Person, town: str | None, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    """`town` None: the whole region."""
    where = {"townId": (await town_ref(graphql, town)).id} if town else {}
    body = await graphql(
        CREATE, {"input": {**where, "url": url, "eventTypes": types or ["idea.published"]}}, headers=admin.headers
    )
    created: dict[str, Any] = body["data"]["createWebhookSubscription"]
    assert created["__typename"] == "WebhookSubscriptionCreated", created
    return created


async def write_events(
    runtime: Runtime, town: str, count: int, event_type: EventType = EventType.IDEA_PUBLISHED
) -> None:
    """`count` events, each committed in a transaction of its own, as changes write them."""
    for number in range(count):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            town_id = await session.scalar(select(Town.id).where(Town.slug == town))
            assert town_id is not None
            await record(
                session,
                event_type,
                town_id=town_id,
                subject_type="Idea",
                subject_id=uuid.uuid4(),
                data={"title": f"Idee {number}"},
            )


def arrival_order(received: list[Received]) -> list[int]:
    """The events' sequences in the order they arrived."""
    return [int(json.loads(item.body)["sequence"]) for item in received]
