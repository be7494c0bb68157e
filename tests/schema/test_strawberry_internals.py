"""Fails loudly when a strawberry or graphql-core upgrade changes an internal this project relies on
(`schema/strawberry_internals.py`, the one module that reaches into them)."""

from __future__ import annotations

import inspect
import typing
import uuid
from typing import Any

import httpx
import strawberry
from cross_web import HTTPException
from graphql import GraphQLField, GraphQLSchema, GraphQLString, parse
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from schema.ratelimit import RateLimited
from schema.root import build_schema
from schema.strawberry_internals import (
    QueryParams,
    ReleasingExecutionContext,
    SelectedField,
    Selection,
    field_extensions,
    graphql_core_schema,
    id_scalar,
    provided_operation_name,
    refused_operation_type,
    to_camel_case,
    validate_document,
)


def test_the_graphql_core_schema_is_the_one_strawberry_executes() -> None:
    built = graphql_core_schema(build_schema())
    assert isinstance(built, GraphQLSchema)
    assert built.query_type is not None
    assert built.query_type.name == "Query"


def _context(provided: str | None) -> ExecutionContext:
    context = ExecutionContext(
        query="query First { __typename } query Second { __typename }",
        schema=build_schema(),
        allowed_operations=(OperationType.QUERY,),
        provided_operation_name=provided,
    )
    context.graphql_document = parse(context.query or "")
    return context


def test_the_operation_name_the_request_sent_is_told_from_the_one_strawberry_guesses() -> None:
    assert provided_operation_name(_context("Second")) == "Second"
    unnamed = _context(None)
    assert unnamed.operation_name == "First", "strawberry no longer guesses the first operation's name"
    assert provided_operation_name(unnamed) is None


@strawberry.input(one_of=True)
class _Either:
    left: str | None = strawberry.UNSET
    right: str | None = strawberry.UNSET


@strawberry.type
class _Picking:
    @strawberry.field
    def pick(self, either: _Either) -> str:
        return "picked"


@strawberry.type
class _Ping:
    ping: str = "pong"


@strawberry.type
class _Pinging:
    @strawberry.mutation
    def ping(self) -> str:
        return "pong"


def test_validation_includes_the_rules_strawberry_adds_itself() -> None:
    schema = graphql_core_schema(strawberry.Schema(query=_Picking))
    both = parse('{ pick(either: {left: "a", right: "b"}) }')
    # `@oneOf` inputs are checked by a rule strawberry adds, not by the rules passed in.
    assert validate_document(schema, both, ())
    assert validate_document(schema, parse('{ pick(either: {left: "a"}) }'), ()) == []


async def test_a_mutation_over_get_is_refused_for_its_operation_type() -> None:
    refusals: list[OperationType | None] = []

    class View(GraphQL[None, None]):
        async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
            try:
                return await super().run(request, context, root_value)
            except HTTPException as error:
                refusals.append(refused_operation_type(error))
                raise

    app = View(strawberry.Schema(query=_Ping, mutation=_Pinging), allow_queries_via_get=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        await client.get("/", params={"query": "mutation { ping }"})
        await client.post("/", content=b"[]", headers={"content-type": "application/json"})
    assert refusals == [OperationType.MUTATION, None]


def test_the_executor_still_keeps_its_helpers_where_they_are_released() -> None:
    source = inspect.getsource(ReleasingExecutionContext.__mro__[1])
    assert "self.async_helpers" in source, "graphql-core's executor no longer has async_helpers: review the release"


@strawberry.type
class _Named:
    @strawberry.field
    def pick(self, sign_up_id: str, a_b2_c: str, already_camel: str) -> str:
        return "picked"


def test_names_are_camel_cased_as_strawberry_names_arguments() -> None:
    schema = graphql_core_schema(strawberry.Schema(query=_Named))
    assert schema.query_type is not None
    given = list(schema.query_type.fields["pick"].args)
    assert given == [to_camel_case(name) for name in ("sign_up_id", "a_b2_c", "already_camel")]


@strawberry.type
class _Leaf:
    name: str = "leaf"


_SEEN: list[Selection] = []


@strawberry.type
class _Selecting:
    @strawberry.field
    def leaf(self, info: strawberry.Info) -> _Leaf:
        _SEEN.extend(info.selected_fields)
        return _Leaf()


def test_selected_fields_are_fields_and_fragments_with_their_selections() -> None:
    _SEEN.clear()
    result = strawberry.Schema(query=_Selecting).execute_sync("{ leaf { ... on Leaf { name } } }")
    assert result.errors is None
    [field] = _SEEN
    assert isinstance(field, SelectedField)
    assert field.name == "leaf"
    [fragment] = field.selections
    assert not isinstance(fragment, SelectedField)
    [inner] = fragment.selections
    assert isinstance(inner, SelectedField)
    assert inner.name == "name"


@strawberry.type
class _Identified:
    @strawberry.field
    def key(self) -> uuid.UUID:
        return uuid.UUID(int=1)


def test_the_id_scalar_makes_a_uuid_an_id() -> None:
    schema = strawberry.Schema(query=_Identified, scalar_overrides={uuid.UUID: id_scalar()})
    assert "key: ID!" in schema.as_str()
    assert schema.execute_sync("{ key }").data == {"key": str(uuid.UUID(int=1))}


def test_the_views_parse_query_params_of_this_type() -> None:
    hints = typing.get_type_hints(GraphQL.parse_query_params)
    assert hints["params"] == QueryParams


def test_a_fields_extensions_are_found_on_the_built_schema() -> None:
    # The query budget tells a rate-limited mutation by its `RateLimited` extension (schema/budget.py).
    mutation = graphql_core_schema(build_schema()).mutation_type
    assert mutation is not None

    submit = field_extensions(mutation.fields["submitIdea"])
    assert [extension.action for extension in submit if isinstance(extension, RateLimited)] == ["idea.submit"]
    assert not any(
        isinstance(extension, RateLimited) for extension in field_extensions(mutation.fields["markNotificationsRead"])
    )
    assert field_extensions(GraphQLField(GraphQLString)) == []
