"""GraphQL over HTTP: media types, status codes, methods, and documents refused before execution."""

from __future__ import annotations

import httpx

GRAPHQL_RESPONSE = "application/graphql-response+json"
TOWNS = "{ towns { slug } }"


async def test_graphql_response_media_type_is_used_when_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TOWNS}, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert len(response.json()["data"]["towns"]) == 20


async def test_plain_json_clients_get_application_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TOWNS}, headers={"Accept": "application/json"})

    assert response.headers["content-type"].startswith("application/json")


async def test_a_document_that_fails_validation_gets_400_and_no_data_entry(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ towns { population } }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["message"]


async def test_with_application_json_a_validation_failure_keeps_status_200(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ towns { population } }"})

    assert response.status_code == 200
    assert "data" not in response.json()


async def test_get_runs_queries_but_never_mutations(client: httpx.AsyncClient) -> None:
    query = await client.get("/graphql", params={"query": TOWNS})
    mutation = await client.get(
        "/graphql", params={"query": 'mutation { chooseHomeTown(townSlug: "soest") { __typename } }'}
    )

    assert query.status_code == 200
    assert mutation.status_code == 405


async def test_other_methods_get_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.put("/graphql", json={"query": TOWNS})

    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


async def test_an_oversized_body_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TOWNS, "variables": {"x": "y" * 200_000}})

    assert response.status_code == 413


async def test_too_deep_and_too_many_aliases_are_refused_before_execution(client: httpx.AsyncClient) -> None:
    deep = "{ towns { strategyAreas { town { strategyAreas { town { strategyAreas { town { strategyAreas { town {"
    deep += " strategyAreas { town { strategyAreas { town { slug } } } } } } } } } } } } } }"
    aliases = "{ " + " ".join(f"a{index}: towns {{ slug }}" for index in range(40)) + " }"

    for document in (deep, aliases):
        response = await client.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})
        assert response.status_code == 400, document
        assert "data" not in response.json()
