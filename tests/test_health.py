from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mitmachen.app import create_app
from mitmachen.embedded import EmbeddedValkey
from mitmachen.runtime import Runtime
from service.config import Settings
from workers.queue import ArqJobSender, connect

TOWNS = "{ towns { slug } }"


async def test_healthz_and_readyz_report_ok(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "redis": "ok"}


@pytest.fixture
async def client_with_own_redis(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, EmbeddedValkey]]:
    valkey = EmbeddedValkey(tmp_path / "valkey")
    url = valkey.start()
    redis = connect(url)
    own = dataclasses.replace(runtime, redis=redis, job_sender=ArqJobSender(redis))
    app = create_app(settings.model_copy(update={"redis_url": url}), own)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http, valkey
    finally:
        valkey.stop()
        await redis.aclose()


async def test_with_redis_stopped_readyz_names_redis_and_queries_still_work(
    client_with_own_redis: tuple[httpx.AsyncClient, EmbeddedValkey],
) -> None:
    client, valkey = client_with_own_redis
    assert (await client.get("/readyz")).status_code == 200

    valkey.stop()
    ready = await client.get("/readyz")
    towns = await client.post("/graphql", json={"query": TOWNS})

    assert ready.status_code == 503
    assert ready.json()["redis"].startswith("unreachable")
    assert ready.json()["database"] == "ok"
    assert (await client.get("/healthz")).status_code == 200
    assert len(towns.json()["data"]["towns"]) == 20


async def test_metrics_expose_requests_latency_statements_and_jobs(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "query Towns { towns { slug } }", "operationName": "Towns"})

    metrics = (await client.get("/metrics")).text

    assert 'mitmachen_http_requests_total{method="POST",route="/graphql",status="200"}' in metrics
    assert 'mitmachen_graphql_operation_seconds_count{kind="query",operation="towns"}' in metrics
    assert "mitmachen_sql_statements_total" in metrics
    assert "mitmachen_jobs_queued 0.0" in metrics


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    hostile = await client.get("/healthz", headers={"X-Request-ID": "<script>"})

    assert given.headers["x-request-id"] == "abc-123"
    assert len(hostile.headers["x-request-id"]) == 32
