"""Batching off, introspection and name suggestions off in production, security headers, the CORS allow-list."""

from __future__ import annotations

import httpx
import pytest

from service.config import ConfigurationError, Environment, load_settings
from tests.schema.hardening.conftest import AppClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
INTROSPECTION = "{ __schema { queryType { name } } }"
TYPE_INTROSPECTION = '{ __type(name: "Idea") { name } }'
MISSPELT = "{ towns { slugg } }"
ALLOWED = "https://mitmachen.soest.de"
OTHER = "https://evil.example"


async def test_a_batch_of_operations_is_refused_with_a_clear_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": "{ towns { slug } }"}, {"query": "{ me { id } }"}])

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BATCHING_NOT_SUPPORTED"
    assert "Batching" in error["message"]


async def test_introspection_and_suggestions_are_available_outside_production(client: httpx.AsyncClient) -> None:
    introspection = await client.post("/graphql", json={"query": INTROSPECTION})
    misspelt = await client.post("/graphql", json={"query": MISSPELT})

    assert introspection.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert "Did you mean 'slug'" in misspelt.json()["errors"][0]["message"]


async def test_production_refuses_introspection_and_suggests_no_names(app_client: AppClient) -> None:
    async with app_client(environment=Environment.PRODUCTION) as http:
        refused = [
            await http.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})
            for document in (INTROSPECTION, TYPE_INTROSPECTION)
        ]
        misspelt = await http.post("/graphql", json={"query": MISSPELT})
        typename = await http.post("/graphql", json={"query": "{ __typename towns { slug } }"})

    for response in refused:
        assert response.status_code == 400
        assert "data" not in response.json()
        assert "introspection" in response.json()["errors"][0]["message"].lower()
    message = misspelt.json()["errors"][0]["message"]
    assert "slugg" in message
    assert "Did you mean" not in message
    assert "'slug'" not in message
    assert typename.json()["data"]["__typename"] == "Query"
    assert len(typename.json()["data"]["towns"]) == 20


async def test_security_headers_are_on_every_response(client: httpx.AsyncClient) -> None:
    responses = [
        await client.post("/graphql", json={"query": "{ towns { slug } }"}),
        await client.post("/graphql", json={"query": "{ towns { population } }"}),
        await client.get("/healthz"),
        await client.post("/graphql", content=b"x" * 200_000, headers={"content-type": "application/json"}),
        await client.get("/nowhere"),
    ]

    assert [response.status_code for response in responses] == [200, 200, 200, 413, 404]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "strict-transport-security" not in response.headers  # test environment, not production


async def test_strict_transport_security_only_in_production(app_client: AppClient) -> None:
    async with app_client(environment=Environment.PRODUCTION) as http:
        production = await http.get("/healthz")
    async with app_client(environment=Environment.DEV) as http:
        dev = await http.get("/healthz")
        graphiql = await http.get("/entwickler")

    assert production.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in dev.headers
    # The developer console loads its files from the service itself, nothing inline; the API's answers nothing.
    assert graphiql.headers["content-type"].startswith("text/html")
    assert "script-src 'self';" in graphiql.headers["content-security-policy"]
    assert "unsafe-inline" not in graphiql.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in graphiql.headers["content-security-policy"]
    assert dev.headers["content-security-policy"].startswith("default-src 'none'")


async def test_cors_answers_listed_origins_with_credentials(app_client: AppClient) -> None:
    async with app_client(cors_origins=[ALLOWED]) as http:
        preflight = await http.options(
            "/graphql",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        actual = await http.post("/graphql", json={"query": "{ towns { slug } }"}, headers={"Origin": ALLOWED})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert actual.headers["access-control-allow-origin"] == ALLOWED
    assert actual.headers["access-control-allow-credentials"] == "true"
    assert actual.headers["x-content-type-options"] == "nosniff"


async def test_cors_refuses_other_origins(app_client: AppClient) -> None:
    async with app_client(cors_origins=[ALLOWED]) as http:
        preflight = await http.options("/graphql", headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"})
        actual = await http.post("/graphql", json={"query": "{ towns { slug } }"}, headers={"Origin": OTHER})

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    # Without Access-Control-Allow-Origin the browser hands the answer to no script (credentials or not).
    assert "access-control-allow-origin" not in actual.headers


async def test_without_configured_origins_there_is_no_cors(client: httpx.AsyncClient) -> None:
    preflight = await client.options("/graphql", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST"})
    actual = await client.post("/graphql", json={"query": "{ towns { slug } }"}, headers={"Origin": ALLOWED})

    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in actual.headers


def test_origins_and_proxies_are_checked_when_the_settings_are_read() -> None:
    settings = load_settings(cors_origins=f"{ALLOWED}/, http://localhost:5173", trusted_proxies="10.0.0.0/8, 192.0.2.1")

    assert settings.cors_origins == [ALLOWED, "http://localhost:5173"]
    assert settings.trusted_proxies == ["10.0.0.0/8", "192.0.2.1"]
    for variable, value in (
        ("cors_origins", "*"),
        ("cors_origins", "mitmachen.soest.de"),
        ("trusted_proxies", "proxy"),
    ):
        with pytest.raises(ConfigurationError, match=f"MITMACHEN_{variable.upper()}"):
            load_settings(**{variable: value})


async def test_a_nul_character_in_a_literal_or_a_variable_is_refused_before_execution(
    client: httpx.AsyncClient,
) -> None:
    for body in (
        {"query": '{ town(slug: "so\\u0000est") { name } }'},
        {"query": "query Q($slug: String!) { town(slug: $slug) { name } }", "variables": {"slug": "so\x00est"}},
        {
            "query": "query Q($f: IdeaFilterInput) { ideas(filter: $f) { edges { cursor } } }",
            "variables": {"f": {"text": "Bank\x00"}},
        },
    ):
        response = await client.post("/graphql", json=body)
        errors = response.json()["errors"]
        assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"], response.text
        assert "NUL" in errors[0]["message"]
    # Without the NUL character the same documents run.
    response = await client.post("/graphql", json={"query": '{ town(slug: "soest") { name } }'})
    assert response.json() == {"data": {"town": {"name": "Soest"}}}


async def test_a_lone_surrogate_makes_the_body_invalid_json(client: httpx.AsyncClient) -> None:
    # Escaped as JSON allows it, yet no text column can store half a character.
    body = '{"query": "query Q($slug: String!) { town(slug: $slug) { name } }", "variables": {"slug": "\\ud800x"}}'

    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert "JSON" in response.text


async def test_one_query_text_is_validated_by_the_rules_of_each_environment(
    client: httpx.AsyncClient, app_client: AppClient
) -> None:
    # Validation is cached by the query's text and the rules: production's extra rule makes another entry.
    async with app_client(environment=Environment.PRODUCTION) as production:
        for _ in range(2):
            allowed = await client.post("/graphql", json={"query": INTROSPECTION})
            refused = await production.post("/graphql", json={"query": INTROSPECTION})
            again = await client.post("/graphql", json={"query": INTROSPECTION})

            assert allowed.json()["data"]["__schema"]["queryType"]["name"] == "Query"
            assert "introspection" in refused.json()["errors"][0]["message"].lower()
            assert again.json() == allowed.json()
