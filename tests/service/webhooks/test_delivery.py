"""Webhook delivery to a real receiver on 127.0.0.1: signed as Standard Webhooks verifies, each event once (by
`webhook-id`) and in order, retried after a receiver was down, given up (subscription disabled, admins notified)
when it stays down, and only the subscription's own town's events."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from standardwebhooks.webhooks import Webhook

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.events.log import EventType, record
from service.events.models import Event
from service.notifications.models import Notification
from service.towns.models import Town
from service.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookDelivery, WebhookSubscription
from tests.conftest import GraphQLClient
from tests.service.webhooks.receiver import receiver
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.webhooks import arrival_order, subscribe, town_admin, write_events
from workers.jobs.webhooks import deliver

ROTATE = """mutation R($id: ID!) { rotateWebhookSecret(subscriptionId: $id) {
  __typename ... on WebhookSecretRotated { secret } } }"""
SHORT = (timedelta(0),) * 3


async def _run(runtime: Runtime, schedule: tuple[timedelta, ...] = SHORT) -> str:
    return await deliver({"runtime": runtime}, schedule=schedule)


async def test_a_burst_arrives_once_each_in_order_and_signed(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        created = await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 25)
        await write_events(runtime, "soest", 3, EventType.SURVEY_CLOSED)  # not subscribed
        await _run(runtime)
        await _run(runtime)  # nothing more
    assert len(hook.received) == 25
    ids = [item.headers["webhook-id"] for item in hook.received]
    assert len(set(ids)) == 25
    sequences = arrival_order(hook.received)
    assert sequences == sorted(sequences)
    assert ids == [f"evt_{sequence}" for sequence in sequences]
    verifier = Webhook(created["secret"])
    for item in hook.received:
        payload = verifier.verify(item.body, item.headers)
        assert payload["type"] == "idea.published"
        assert payload["town"]["slug"] == "soest"
        assert item.headers["content-type"] == "application/json"


async def test_after_a_rotation_both_secrets_verify(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        created = await subscribe(graphql, admin, "soest", hook.url())
        rotated = (await graphql(ROTATE, {"id": created["subscription"]["id"]}, headers=admin.headers))["data"][
            "rotateWebhookSecret"
        ]
        await write_events(runtime, "soest", 1)
        await _run(runtime)
    (item,) = hook.received
    assert len(item.headers["webhook-signature"].split(" ")) == 2
    Webhook(created["secret"]).verify(item.body, item.headers)
    Webhook(rotated["secret"]).verify(item.body, item.headers)


async def test_a_receiver_that_was_down_gets_everything_afterwards_in_order(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 5)
        hook.status = 503
        hook.answer = b"x" * 5000
        # A long wait after the first failure: the other events must wait behind the first.
        await _run(runtime, (timedelta(hours=1),) * 3)
        assert len(hook.received) == 1
        async with runtime.unit_of_work() as uow, uow.session() as session:
            first = await session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.sequence).limit(1))
            assert first is not None
            assert (first.status, first.attempts, first.response_code) == ("pending", 1, 503)
            assert first.response_body == "x" * 1024
            assert first.next_attempt_at is not None
        await _run(runtime, (timedelta(hours=1),) * 3)  # not due yet: nothing sent
        assert len(hook.received) == 1
        hook.status = 200
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await session.execute(update(WebhookDelivery).values(next_attempt_at=None))
        await _run(runtime)
    arrived: dict[str, int] = {}
    for item, sequence in zip(hook.received, arrival_order(hook.received), strict=True):
        arrived.setdefault(item.headers["webhook-id"], sequence)
    assert len(arrived) == 5
    assert list(arrived.values()) == sorted(arrived.values())
    assert hook.received[0].headers["webhook-id"] == hook.received[1].headers["webhook-id"]  # the retry


async def test_a_receiver_that_stays_down_disables_the_subscription_and_tells_the_admins(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        hook.status = 500
        await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 2)
        await _run(runtime)
        assert len(hook.received) == len(SHORT) + 1  # the first event only: the second waits behind it
        await write_events(runtime, "soest", 1)
        await _run(runtime)
        assert len(hook.received) == len(SHORT) + 1  # disabled: nothing more is sent
    async with runtime.unit_of_work() as uow, uow.session() as session:
        subscription = await session.scalar(select(WebhookSubscription))
        assert subscription is not None
        assert subscription.status == SubscriptionStatus.DISABLED.value
        statuses = (await session.scalars(select(WebhookDelivery.status).order_by(WebhookDelivery.sequence))).all()
        assert statuses == [DeliveryStatus.FAILED.value, DeliveryStatus.PENDING.value, DeliveryStatus.PENDING.value]
        notes = (await session.scalars(select(Notification).where(Notification.kind == "webhook.disabled"))).all()
        assert [note.user_id for note in notes] == [admin.user_id]
        assert hook.url() in notes[0].body


async def test_a_subscription_never_receives_another_towns_events(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest_admin = await town_admin(runtime, oidc_provider, "soest")
    olpe_admin = await town_admin(runtime, oidc_provider, "olpe")
    with receiver() as hook:
        await subscribe(graphql, soest_admin, "soest", hook.url("/soest"))
        await subscribe(graphql, olpe_admin, "olpe", hook.url("/olpe"))
        await write_events(runtime, "olpe", 3)
        await write_events(runtime, "soest", 2)
        await write_events(runtime, "olpe", 1)
        await _run(runtime)
    towns = [(item.path, json.loads(item.body)["town"]["slug"]) for item in hook.received]
    assert sorted(towns) == [("/olpe", "olpe")] * 4 + [("/soest", "soest")] * 2


async def test_a_region_wide_subscription_receives_every_towns_events(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    region_admin = await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),))
    with receiver() as hook:
        await subscribe(graphql, region_admin, None, hook.url())
        await write_events(runtime, "olpe", 2)
        await write_events(runtime, "soest", 1)
        await _run(runtime)
    assert [json.loads(item.body)["town"]["slug"] for item in hook.received] == ["olpe", "olpe", "soest"]


PAUSE = """mutation P($id: ID!) { pauseWebhookSubscription(subscriptionId: $id) { __typename } }"""
RESUME = """mutation R($id: ID!) { resumeWebhookSubscription(subscriptionId: $id) { __typename } }"""


async def test_a_paused_subscription_sends_nothing_and_on_resume_everything_in_order(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        created = await subscribe(graphql, admin, "soest", hook.url())
        subscription = {"id": created["subscription"]["id"]}
        await graphql(PAUSE, subscription, headers=admin.headers)
        await write_events(runtime, "soest", 4)
        await _run(runtime)
        assert hook.received == []
        await graphql(RESUME, subscription, headers=admin.headers)
        await _run(runtime)
    sequences = arrival_order(hook.received)
    assert len(sequences) == 4
    assert sequences == sorted(sequences)


async def test_runs_at_the_same_time_send_each_event_once_in_order(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 20)
        await asyncio.gather(*(_run(runtime) for _ in range(3)))
        await _run(runtime)
    sequences = arrival_order(hook.received)
    assert len(sequences) == 20
    assert len(set(sequences)) == 20
    assert sequences == sorted(sequences)


async def test_finished_deliveries_are_deleted_after_30_days(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 3)
        await _run(runtime)
        hook.status = 500
        await write_events(runtime, "soest", 1)
        await _run(runtime, (timedelta(hours=1),))
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(update(WebhookDelivery).values(created_at=func.now() - timedelta(days=31)))
    await _run(runtime)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        left = (await session.scalars(select(WebhookDelivery.status))).all()
    assert left == [DeliveryStatus.PENDING.value]  # the one still being tried stays


async def test_a_tombstone_written_before_sending_empties_what_is_sent_and_nothing_is_kept(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    subject_id = uuid.uuid4()
    with receiver() as hook:
        await subscribe(graphql, admin, "soest", hook.url(), ["idea.published", "idea.removed"])
        async with runtime.unit_of_work() as uow, uow.session() as session:
            town_id = await session.scalar(select(Town.id).where(Town.slug == "soest"))
            assert town_id is not None
            for event_type, data in ((EventType.IDEA_PUBLISHED, {"title": "Geheim"}), (EventType.IDEA_REMOVED, None)):
                await record(
                    session, event_type, town_id=town_id, subject_type="Idea", subject_id=subject_id, data=data
                )
        await _run(runtime)
    assert [json.loads(item.body)["data"] for item in hook.received] == [{}, {}]
    assert all(b"Geheim" not in item.body for item in hook.received)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert (await session.scalars(select(WebhookDelivery.body))).all() == ["", ""]


async def test_an_event_purged_before_it_could_be_sent_is_given_up(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        created = await subscribe(graphql, admin, "soest", hook.url())
        await graphql(PAUSE, {"id": created["subscription"]["id"]}, headers=admin.headers)
        await write_events(runtime, "soest", 2)
        await _run(runtime)
        async with runtime.unit_of_work() as uow, uow.session() as session:
            first = await session.scalar(select(func.min(Event.sequence)))
            await session.execute(delete(Event).where(Event.sequence == first))
        await graphql(RESUME, {"id": created["subscription"]["id"]}, headers=admin.headers)
        await _run(runtime)
    assert len(hook.received) == 1
    async with runtime.unit_of_work() as uow, uow.session() as session:
        statuses = (await session.scalars(select(WebhookDelivery.status).order_by(WebhookDelivery.sequence))).all()
    assert statuses == [DeliveryStatus.FAILED.value, DeliveryStatus.SUCCEEDED.value]


async def test_a_burst_of_a_thousand_events_arrives_once_each_in_order_per_subscription(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    """Four writers commit 1 000 events while delivery runs go on at the same time; each of two subscriptions gets
    every event exactly once (by `webhook-id`), in sequence order, signed with its own secret."""
    admin = await town_admin(runtime, oidc_provider, "soest")
    writing = True

    async def deliver_meanwhile() -> None:
        while writing:
            await _run(runtime)
            await asyncio.sleep(0.05)

    with receiver() as hook:
        secrets = {path: (await subscribe(graphql, admin, "soest", hook.url(path)))["secret"] for path in ("/a", "/b")}
        delivering = asyncio.create_task(deliver_meanwhile())
        await asyncio.gather(*(write_events(runtime, "soest", 250) for _ in range(4)))
        await write_events(runtime, "olpe", 5)  # another town's: not sent
        writing = False
        await delivering
        while await _run(runtime) != "0 collected, 0 attempts":  # a run stops after a minute; the next goes on
            pass
    async with runtime.unit_of_work() as uow, uow.session() as session:
        written = set(
            (
                await session.scalars(
                    select(Event.sequence).join(Town, Town.id == Event.town_id).where(Town.slug == "soest")
                )
            ).all()
        )
    for path, secret in secrets.items():
        got = [item for item in hook.received if item.path == path]
        ids = [item.headers["webhook-id"] for item in got]
        assert len(ids) == 1000
        assert len(set(ids)) == 1000
        order = arrival_order(got)
        assert order == sorted(order)
        assert ids == [f"evt_{sequence}" for sequence in order]
        assert set(order) == written
        verifier = Webhook(secret)
        assert all(verifier.verify(item.body, item.headers)["town"]["slug"] == "soest" for item in got)
