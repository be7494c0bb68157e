"""`/metrics` stays the same size whatever names clients make up, and answers only the allowed networks."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import httpx
import pytest
from prometheus_client import generate_latest

from schema.root import build_schema
from service.config import ConfigurationError, load_settings
from service.kit.observability import REGISTRY
from tests.schema.hardening.conftest import AppClient


async def test_ten_thousand_made_up_operation_names_leave_the_exposition_flat() -> None:
    schema = build_schema()

    async def run(name: str) -> None:
        result = await schema.execute(f"query {name} {{ __typename }}", context_value=SimpleNamespace())
        assert result.errors is None

    await run("Warm")
    before = len(generate_latest(REGISTRY))
    names = [f"Made{secrets.token_hex(8)}" for _ in range(10_000)]
    for name in names:
        await run(name)
    after = generate_latest(REGISTRY).decode()

    # Only the counts and sums of the existing series grow by a few digits.
    assert len(after) - before < 1_000
    assert not [name for name in names[:200] if name in after]
    assert 'mitmachen_graphql_operation_seconds_count{kind="query",operation="other"}' in after


async def test_operations_are_labelled_by_their_root_field(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "query AnyName { towns { slug } }"})
    await client.post("/graphql", json={"query": "query A { towns { slug } } query B { ideas { totalCount } }"})
    await client.post(
        "/graphql", json={"query": "query A { towns { slug } } query B { me { id } }", "operationName": "B"}
    )

    metrics = (await client.get("/metrics")).text

    assert 'mitmachen_graphql_operation_seconds_count{kind="query",operation="towns"}' in metrics
    assert 'operation="me"' in metrics
    assert "AnyName" not in metrics


async def test_made_up_http_methods_are_counted_as_other(client: httpx.AsyncClient) -> None:
    methods = [f"X{secrets.token_hex(4).upper()}" for _ in range(50)]
    for method in methods:
        await client.request(method, "/graphql")

    metrics = (await client.get("/metrics")).text

    assert not [method for method in methods if method in metrics]
    assert 'method="other",route="/graphql"' in metrics


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.20.0.5", "192.168.1.9", "::1", "fd00::5"])
async def test_metrics_answer_loopback_and_private_networks_by_default(app_client: AppClient, address: str) -> None:
    async with app_client(address=address) as http:
        response = await http.get("/metrics")

    assert response.status_code == 200
    assert "mitmachen_http_requests_total" in response.text


@pytest.mark.parametrize("address", ["203.0.113.7", "8.8.8.8", "2001:db8::1", "not-an-address"])
async def test_metrics_refuse_the_internet(app_client: AppClient, address: str) -> None:
    async with app_client(address=address) as http:
        response = await http.get("/metrics")

    assert response.status_code == 403
    assert "mitmachen" not in response.text


async def test_the_allow_list_is_configurable(app_client: AppClient) -> None:
    async with app_client(address="198.51.100.20", metrics_allow=["198.51.100.0/24"]) as http:
        allowed = await http.get("/metrics")
    async with app_client(address="127.0.0.1", metrics_allow=["198.51.100.0/24"]) as http:
        loopback = await http.get("/metrics")
    async with app_client(address="127.0.0.1", metrics_allow=[]) as http:
        nobody = await http.get("/metrics")

    assert allowed.status_code == 200
    assert loopback.status_code == 403
    assert nobody.status_code == 403


async def test_behind_a_trusted_proxy_the_forwarded_client_is_checked(app_client: AppClient) -> None:
    async with app_client(address="10.0.0.2", trusted_proxies=["10.0.0.0/8"]) as http:
        forwarded = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        from_inside = await http.get("/metrics", headers={"X-Forwarded-For": "192.168.1.4"})
        direct = await http.get("/metrics")

    assert forwarded.status_code == 403
    assert from_inside.status_code == 200
    assert direct.status_code == 200


def test_the_allow_list_must_name_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITMACHEN_METRICS_ALLOW", "10.0.0.0/8, prometheus")

    with pytest.raises(ConfigurationError, match="MITMACHEN_METRICS_ALLOW"):
        load_settings()
    monkeypatch.setenv("MITMACHEN_METRICS_ALLOW", "10.0.0.0/8, 192.0.2.1")
    assert load_settings().metrics_allow == ["10.0.0.0/8", "192.0.2.1"]
