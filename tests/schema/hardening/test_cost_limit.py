"""The cost limit: list sizes multiply, documents over the limit are refused before execution."""

from __future__ import annotations

import httpx
from graphql import parse

from schema.cost import MAX_COST, operation_cost
from schema.extensions import _VALIDATED
from schema.root import build_schema

GRAPHQL_RESPONSE = "application/graphql-response+json"
CHEAP = "{ towns { slug strategyAreas { name } } }"
NESTED_PAGES = """
{ towns { strategyAreas { town { ideas(first: 100) { edges { node { title comments { body } } } } } } } }
"""
PAGE_BY_VARIABLE = """
query Pages($size: Int!) { towns { ideas(first: $size) { edges { node { title comments { body } } } } } }
"""


def _cost(document: str, variables: dict[str, object] | None = None) -> int:
    parsed = parse(document)
    operation = parsed.definitions[0]
    cost, _ = operation_cost(build_schema()._schema, parsed, operation, variables)  # type: ignore[arg-type]
    return cost


def test_list_sizes_multiply_the_cost_of_what_is_below_them() -> None:
    # towns 1, slug 20 (one per town), strategyAreas 20, name 20 x 20 (a list without `first` counts 20).
    assert _cost(CHEAP) == 1 + 20 + 20 + 400
    # `first` sizes the connection; `edges` inside it does not multiply again.
    assert _cost("{ ideas(first: 7) { edges { node { title } } } }") == 1 + 7 + 7 + 7
    assert _cost("{ ideas { edges { node { title } } } }") == 1 + 20 + 20 + 20  # the argument's default


def test_fragments_count_like_the_fields_they_stand_for() -> None:
    spread = "{ ideas(first: 7) { edges { node { ...T } } } } fragment T on Idea { title body }"
    inline = "{ ideas(first: 7) { edges { node { ... on Idea { title body } } } } }"

    assert _cost(spread) == _cost(inline) == 1 + 7 + 7 + 14


async def test_a_cheap_document_runs(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": CHEAP}, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 200
    assert len(response.json()["data"]["towns"]) == 20


async def test_an_expensive_document_is_refused_before_execution(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": NESTED_PAGES}, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    assert error["extensions"]["maxCost"] == MAX_COST
    assert error["extensions"]["cost"] > MAX_COST
    assert "zu aufwendig" in error["message"]


async def test_a_size_from_a_variable_is_judged_by_the_variable_value(client: httpx.AsyncClient) -> None:
    small = await client.post(
        "/graphql", json={"query": PAGE_BY_VARIABLE, "variables": {"size": 1}}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    large = await client.post(
        "/graphql", json={"query": PAGE_BY_VARIABLE, "variables": {"size": 100}}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert small.status_code == 200
    assert len(small.json()["data"]["towns"]) == 20
    assert large.status_code == 400
    assert "data" not in large.json()
    assert [error["extensions"]["code"] for error in large.json()["errors"]] == ["QUERY_TOO_EXPENSIVE"]
    assert _cost(PAGE_BY_VARIABLE, {"size": 100}) > MAX_COST >= _cost(PAGE_BY_VARIABLE, {"size": 1})


async def test_a_variable_default_counts_only_when_no_value_is_sent(client: httpx.AsyncClient) -> None:
    document = PAGE_BY_VARIABLE.replace("$size: Int!", "$size: Int! = 100")

    defaulted = await client.post(
        "/graphql", json={"query": document, "variables": {}}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    small = await client.post(
        "/graphql", json={"query": document, "variables": {"size": 1}}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert defaulted.status_code == 400
    assert defaulted.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
    assert small.status_code == 200
    assert len(small.json()["data"]["towns"]) == 20


async def test_the_validation_cache_still_answers_repeated_documents(client: httpx.AsyncClient) -> None:
    document = "{ towns { slug name } }"
    await client.post("/graphql", json={"query": document})
    [(key, verdict)] = [(key, errors) for key, errors in _VALIDATED.items() if key[1] == document]

    for _ in range(3):
        response = await client.post("/graphql", json={"query": document})
        assert response.status_code == 200

    # A validation run would have stored a new list.
    assert _VALIDATED[key] is verdict
    assert list(_VALIDATED)[-1] == key


async def test_a_fragment_cycle_is_refused_and_does_not_hang_the_estimate(client: httpx.AsyncClient) -> None:
    document = "{ towns { ...A } } fragment A on Town { strategyAreas { town { ...A } } }"

    response = await client.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    assert "data" not in response.json()


async def test_a_size_beyond_any_integer_is_refused_with_a_cost_that_fits_the_answer(client: httpx.AsyncClient) -> None:
    document = "{ towns { ideas(first: 99999999999999999999999) { edges { node { comments { body } } } } } }"

    response = await client.post("/graphql", json={"query": document}, headers={"Accept": GRAPHQL_RESPONSE})

    assert response.status_code == 400
    extensions = [error.get("extensions", {}) for error in response.json()["errors"]]
    costs = [extension["cost"] for extension in extensions if "cost" in extension]
    assert len(costs) == 1
    assert MAX_COST < costs[0] < 2**63
