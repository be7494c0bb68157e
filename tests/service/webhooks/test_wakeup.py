"""A new event wakes the webhook workers right after its commit (one job per town while one waits), only when an
active subscription takes it; the cron stays as the safety net."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.events.log import EventType, record
from service.towns.models import Town
from service.webhooks.jobs import Delivery
from tests.conftest import GraphQLClient
from tests.service.webhooks.receiver import receiver
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.webhooks import subscribe, town_admin, write_events
from workers.jobs.webhooks import deliver
from workers.queue import QUEUE_NAME
from workers.settings import create_worker

PAUSE = """mutation P($id: ID!) { pauseWebhookSubscription(subscriptionId: $id) { __typename } }"""


async def _town_id(runtime: Runtime, slug: str) -> uuid.UUID:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        found = await session.scalar(select(Town.id).where(Town.slug == slug))
    assert found is not None
    return found


async def _wake_ups(runtime: Runtime) -> list[str]:
    """The webhook delivery jobs waiting in the queue."""
    queued = await runtime.redis.zrange(QUEUE_NAME, 0, -1)
    return sorted(job.decode() for job in queued if job.startswith(b"webhooks.deliver"))


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    await worker.main()
    await worker.close()


async def test_an_event_an_active_subscription_takes_sends_one_wake_up_for_its_town_after_commit(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest = await _town_id(runtime, "soest")
    admin = await town_admin(runtime, oidc_provider, "soest")
    olpe_admin = await town_admin(runtime, oidc_provider, "olpe")
    paused = await subscribe(graphql, olpe_admin, "olpe", "http://127.0.0.1:9/hook")
    await graphql(PAUSE, {"id": paused["subscription"]["id"]}, headers=olpe_admin.headers)
    await subscribe(graphql, admin, "soest", "http://127.0.0.1:9/hook", ["idea.published"])

    await write_events(runtime, "soest", 1, EventType.SURVEY_CLOSED)  # a type nobody subscribed to
    await write_events(runtime, "olpe", 1)  # only a paused subscription
    await write_events(runtime, "menden", 1)  # no subscription
    rolled_back = runtime.unit_of_work()
    async with rolled_back.session() as session:
        await record(session, EventType.IDEA_PUBLISHED, town_id=soest, subject_type="Idea", subject_id=uuid.uuid4())
    await rolled_back.rollback()
    await rolled_back.close()
    assert await _wake_ups(runtime) == []

    await write_events(runtime, "soest", 3)
    assert await _wake_ups(runtime) == [f"webhooks.deliver:{soest}"]


async def test_a_region_wide_subscription_wakes_for_every_town(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    region_admin = await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),))
    await subscribe(graphql, region_admin, None, "http://127.0.0.1:9/hook")
    await write_events(runtime, "olpe", 1)
    assert await _wake_ups(runtime) == [f"webhooks.deliver:{await _town_id(runtime, 'olpe')}"]


async def _region_event(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await record(
            session, EventType.TALLIES_RECOMPUTED, town_id=None, subject_type="TallyRun", subject_id=uuid.uuid4()
        )


async def test_a_region_event_wakes_the_workers_only_for_a_region_wide_subscription(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    await subscribe(graphql, admin, "soest", "http://127.0.0.1:9/hook", ["tallies.recomputed"])
    await _region_event(runtime)
    assert await _wake_ups(runtime) == [], "a town's subscription never takes the region's events"

    region_admin = await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),))
    await subscribe(graphql, region_admin, None, "http://127.0.0.1:9/hook", ["tallies.recomputed"])
    await _region_event(runtime)
    assert await _wake_ups(runtime) == ["webhooks.deliver:None"]


async def test_after_a_woken_run_the_next_event_wakes_the_workers_again(
    runtime: Runtime, settings: Settings, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    with receiver() as hook:
        await subscribe(graphql, admin, "soest", hook.url())
        await write_events(runtime, "soest", 1)
        await _run_worker(settings, runtime)
        assert len(hook.received) == 1
        await write_events(runtime, "soest", 1)
        assert len(await _wake_ups(runtime)) == 1, "the job id is free again once the run ended"
        await _run_worker(settings, runtime)
        assert len(hook.received) == 2


async def test_a_run_for_one_town_sends_only_what_takes_that_towns_events(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest_admin = await town_admin(runtime, oidc_provider, "soest")
    olpe_admin = await town_admin(runtime, oidc_provider, "olpe")
    with receiver() as hook:
        await subscribe(graphql, soest_admin, "soest", hook.url("/soest"))
        await subscribe(graphql, olpe_admin, "olpe", hook.url("/olpe"))
        await write_events(runtime, "soest", 2)
        await write_events(runtime, "olpe", 2)
        await deliver({"runtime": runtime}, Delivery(await _town_id(runtime, "olpe")))
        assert [item.path for item in hook.received] == ["/olpe", "/olpe"]
        await deliver({"runtime": runtime})  # the cron's run: every town
        assert sorted(item.path for item in hook.received) == ["/olpe", "/olpe", "/soest", "/soest"]
