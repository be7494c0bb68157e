"""Acceptance: a worker process killed while a receiver holds its webhook request loses no event.

A real `mitmachen worker` is woken by the events' commit and POSTs the first event to a receiver on 127.0.0.1,
which holds the request unanswered; the worker is killed with SIGKILL meanwhile. The attempt was never committed,
so the delivery is still pending; a second worker sends the event again with the same `webhook-id`, then the rest,
in order.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from mitmachen.embedded import EmbeddedValkey
from mitmachen.runtime import Runtime
from service.config import Settings
from service.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.conftest import GraphQLClient
from tests.service.webhooks.receiver import receiver
from tests.support.oidc_provider import OidcProvider
from tests.support.webhooks import arrival_order, subscribe, town_admin, write_events
from tests.workers.processes import WorkerProcess, api_on, eventually, worker_process

EVENTS = 3


async def _deliveries(runtime: Runtime) -> list[tuple[int, str, int]]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.execute(
            select(WebhookDelivery.sequence, WebhookDelivery.status, WebhookDelivery.attempts).order_by(
                WebhookDelivery.sequence
            )
        )
        return [(sequence, status, attempts) for sequence, status, attempts in rows]


async def _log(worker: WorkerProcess) -> str:
    return f"worker log:\n{worker.output()}"


async def test_a_worker_killed_mid_delivery_leaves_the_event_to_be_sent_again_with_the_same_id(
    settings: Settings,
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
    valkey: EmbeddedValkey,
) -> None:
    admin = await town_admin(runtime, oidc_provider, "soest")
    held = threading.Event()
    with receiver() as hook:
        hook.hold = held
        created = await subscribe(graphql, admin, "soest", hook.url())
        async with api_on(settings, valkey.url()) as (queue, _):
            with worker_process(settings, valkey.url(), valkey.directory / "first-worker.log") as first:
                await write_events(queue, "soest", EVENTS)  # their commit wakes the worker

                async def request_held() -> bool:
                    assert first.process.poll() is None, first.output()
                    return hook.arrived.is_set()

                await eventually(request_held, within=30, what="the worker's request reaches the receiver")
                first.kill()
            hook.hold = None
            held.set()
            (in_flight, *_) = hook.received
            assert len(hook.received) == 1
            pending = await _deliveries(runtime)
            assert [status for _, status, _ in pending] == [DeliveryStatus.PENDING.value] * EVENTS
            assert pending[0][2] == 0, "the killed attempt was never committed"

            with worker_process(settings, valkey.url(), valkey.directory / "second-worker.log") as second:

                async def all_sent() -> bool:
                    assert second.process.poll() is None, second.output()
                    return all(status == DeliveryStatus.SUCCEEDED.value for _, status, _ in await _deliveries(runtime))

                await eventually(
                    all_sent, within=60, what="the second worker sends every event", explain=lambda: _log(second)
                )

    ids = [item.headers["webhook-id"] for item in hook.received]
    assert len(ids) == EVENTS + 1
    assert ids[0] == ids[1] == in_flight.headers["webhook-id"], "the same event again, with the same id"
    assert in_flight.body == hook.received[1].body
    order = arrival_order(hook.received[1:])
    assert order == sorted(order)
    assert ids[1:] == [f"evt_{sequence}" for sequence in order]
    verifier = Webhook(created["secret"])
    for item in hook.received:
        verifier.verify(item.body, item.headers)
