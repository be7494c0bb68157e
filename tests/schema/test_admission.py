"""Admission to /graphql: at most as many requests run at once as the pool has connections; the rest wait in turn."""

from __future__ import annotations

import asyncio

import httpx

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from schema.view import Admission, GraphQLView
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
