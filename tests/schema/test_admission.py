"""Admission to /graphql: at most as many requests run at once as the pool has connections; the rest wait in turn."""

from __future__ import annotations

import asyncio

import httpx

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from schema.view import Admission, GraphQLView, fair_share
from service.config import Settings


async def test_requests_beyond_the_limit_wait_and_are_admitted_in_arrival_order() -> None:
    admission = Admission(1)
    assert await admission.enter()
    admitted: list[int] = []

    async def arrive(number: int) -> None:
        assert await admission.enter()
        admitted.append(number)
        admission.leave()

    arrivals = [asyncio.create_task(arrive(number)) for number in range(5)]
    await asyncio.sleep(0)
    assert admitted == []

    admission.leave()
    await asyncio.gather(*arrivals)

    assert admitted == [0, 1, 2, 3, 4]


async def test_a_request_that_waited_too_long_is_not_admitted() -> None:
    admission = Admission(1, timeout=0.01)
    assert await admission.enter()

    assert await admission.enter() is False

    admission.leave()
    assert await admission.enter() is True


async def test_a_request_turned_away_gets_503_with_retry_after(settings: Settings, runtime: Runtime) -> None:
    app = create_app(settings, runtime)
    async with app.router.lifespan_context(app):
        view: GraphQLView = app.state.graphql
        view.admission = Admission(1, timeout=0.01)
        assert await view.admission.enter()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post("/graphql", json={"query": "{ towns { slug } }"})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "SERVICE_BUSY"}
    assert error["message"].startswith("Gerade sind sehr viele Anfragen unterwegs.")


async def test_a_flooder_waits_at_its_share_while_another_client_is_admitted_first() -> None:
    admission = Admission(4, per_client=2)
    admitted: list[str] = []
    holding: dict[str, int] = {}

    async def arrive(client: str) -> None:
        assert await admission.enter(client)
        admitted.append(client)
        holding[client] = holding.get(client, 0) + 1

    # The flooder takes its share of two slots, then keeps three more requests waiting although slots are free.
    flood = [asyncio.create_task(arrive("flooder")) for _ in range(5)]
    await asyncio.sleep(0)
    assert admitted == ["flooder", "flooder"]

    # Others who come later are admitted ahead of the flooder's waiting requests, as long as slots are free.
    await arrive("citizen")
    await arrive("town-hall")
    assert admitted == ["flooder", "flooder", "citizen", "town-hall"]
    late = asyncio.create_task(arrive("late"))
    await asyncio.sleep(0)
    assert "late" not in admitted  # every slot is taken

    # A slot a citizen frees goes to the first waiter that is under its share: not the flooder, which is at two.
    admission.leave("citizen")
    await late
    assert admitted[-1] == "late"
    # A slot the flooder frees goes to its own next request, in arrival order.
    admission.leave("flooder")
    await asyncio.sleep(0)
    assert admitted.count("flooder") == 3

    for task in flood:
        task.cancel()
    await asyncio.gather(*flood, return_exceptions=True)


async def test_without_fairness_one_client_may_take_every_slot() -> None:
    admission = Admission(4)
    for _ in range(4):
        assert await admission.enter("flooder")
    waiting = asyncio.create_task(admission.enter("citizen"))
    await asyncio.sleep(0)
    assert not waiting.done()

    admission.leave("flooder")
    assert await waiting is True


async def test_a_waiter_that_gives_up_leaves_no_slot_taken() -> None:
    admission = Admission(1, timeout=0.01, per_client=1)
    assert await admission.enter("a")
    assert await admission.enter("b") is False
    cancelled = asyncio.create_task(admission.enter("c"))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.gather(cancelled, return_exceptions=True)

    admission.leave("a")

    assert await admission.enter("d") is True


def test_one_client_gets_a_quarter_of_the_slots_rounded_up() -> None:
    assert [fair_share(pool) for pool in (1, 2, 4, 5, 10, 20)] == [1, 1, 1, 2, 3, 5]


async def test_the_endpoint_admits_another_address_while_one_address_is_at_its_share(
    settings: Settings, runtime: Runtime
) -> None:
    app = create_app(settings, runtime)
    async with app.router.lifespan_context(app):
        view: GraphQLView = app.state.graphql
        view.admission = Admission(2, timeout=0.05, per_client=1)
        assert await view.admission.enter("203.0.113.7")  # one request of this address is running
        responses = {}
        for address in ("203.0.113.7", "203.0.113.8"):
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                responses[address] = await http.post("/graphql", json={"query": "{ towns { slug } }"})

    assert responses["203.0.113.7"].status_code == 503  # at its share: it waited and was turned away
    assert responses["203.0.113.8"].status_code == 200


async def test_fair_admission_is_a_setting(settings: Settings, runtime: Runtime) -> None:
    shares = []
    for fair in (True, False):
        app = create_app(settings.model_copy(update={"database_pool_size": 10, "fair_admission": fair}), runtime)
        async with app.router.lifespan_context(app):
            shares.append(app.state.graphql.admission._per_client)

    assert shares == [3, 10]


async def test_a_slot_freed_while_a_cancelled_waiter_has_not_yet_left_goes_to_the_next() -> None:
    admission = Admission(1, per_client=1)
    assert await admission.enter("a")
    gone = asyncio.create_task(admission.enter("b"))
    after = asyncio.create_task(admission.enter("c"))
    await asyncio.sleep(0)

    gone.cancel()  # its turn is cancelled now; the task itself runs its clean-up later
    admission.leave("a")

    assert await after is True
    await asyncio.gather(gone, return_exceptions=True)
    admission.leave("c")
    assert await admission.enter("d") is True
