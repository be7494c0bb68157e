"""`node(id:)` answers null for any id that names no Node; a document with several operations needs a name."""

from __future__ import annotations

import logging
import uuid

import httpx
import pytest
from graphql import GraphQLObjectType
from strawberry.relay import to_base64

from schema.root import build_schema

GRAPHQL_RESPONSE = "application/graphql-response+json"
NODE = "query Node($id: ID!) { node(id: $id) { __typename id } }"


def _non_node_type_names() -> list[str]:
    names = []
    for name, type_ in build_schema()._schema.type_map.items():
        is_node = isinstance(type_, GraphQLObjectType) and any(i.name == "Node" for i in type_.interfaces)
        if not is_node:
            names.append(name)
    # Names the code puts into global ids of things that are not Nodes, and names of no type at all.
    return [*names, "SurveyQuestion", "ModerationTerm", "DataExport", "RoleGrant", "NoSuchType", "", "🙂"]


NON_NODE_TYPE_NAMES = _non_node_type_names()


def test_the_list_covers_every_kind_of_type() -> None:
    # Interfaces, unions, inputs, enums, scalars and plain object types: each can be named in an id.
    assert {"Node", "String", "Query", "Mutation", "RoleAssignment"} <= set(NON_NODE_TYPE_NAMES)
    assert len(NON_NODE_TYPE_NAMES) > 50


async def test_an_id_naming_a_type_that_is_no_node_answers_null(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for type_name in NON_NODE_TYPE_NAMES:
        global_id = to_base64(type_name, str(uuid.uuid4()))
        response = await client.post("/graphql", json={"query": NODE, "variables": {"id": global_id}})

        assert response.status_code == 200, type_name
        assert response.json() == {"data": {"node": None}}, type_name
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "global_id",
    [
        to_base64("Idea", "not-a-uuid"),
        to_base64("Town", ""),
        to_base64("User", "0" * 5000),
        to_base64("Idea", str(uuid.uuid4())),
    ],
)
async def test_an_id_of_nothing_answers_null(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, global_id: str
) -> None:
    response = await client.post("/graphql", json={"query": NODE, "variables": {"id": global_id}})

    assert response.json() == {"data": {"node": None}}
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize("global_id", ["junk", "", "%%%", "Idea", "SWRlYQ==", to_base64("", "")[:-1] + "!", "\u00e4"])
async def test_an_id_that_is_no_global_id_answers_null(client: httpx.AsyncClient, global_id: str) -> None:
    response = await client.post("/graphql", json={"query": NODE, "variables": {"id": global_id}})
    literal = await client.post("/graphql", json={"query": f'{{ node(id: "{global_id}") {{ id }} }}'})

    assert response.json() == {"data": {"node": None}}
    assert literal.json() == {"data": {"node": None}}


TWO_OPERATIONS = "query Towns { towns { slug } } query Areas { towns { strategyAreas { name } } }"


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_several_operations_without_an_operation_name_are_refused(
    client: httpx.AsyncClient, method: str, accept: str
) -> None:
    if method == "GET":
        response = await client.get("/graphql", params={"query": TWO_OPERATIONS}, headers={"Accept": accept})
    else:
        response = await client.post("/graphql", json={"query": TWO_OPERATIONS}, headers={"Accept": accept})

    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "OPERATION_NAME_REQUIRED"
    assert "operationName" in error["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_several_operations_with_an_operation_name_run_the_named_one(
    client: httpx.AsyncClient, method: str
) -> None:
    request = {"query": TWO_OPERATIONS, "operationName": "Towns"}
    if method == "GET":
        response = await client.get("/graphql", params=request)
    else:
        response = await client.post("/graphql", json=request)

    assert response.status_code == 200, response.text
    assert "data" in response.json(), response.text
    assert "data" in response.json(), response.text
    assert len(response.json()["data"]["towns"]) == 20


async def test_one_operation_needs_no_name(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "query Towns { towns { ...F } } fragment F on Town { slug }"}
    )

    assert "data" in response.json(), response.text
    assert len(response.json()["data"]["towns"]) == 20
