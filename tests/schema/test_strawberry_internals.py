"""Fails loudly when a strawberry or graphql-core upgrade changes an internal this project relies on
(`schema/strawberry_internals.py`, `schema/extensions.py`)."""

from __future__ import annotations

import inspect

from graphql import GraphQLSchema
from strawberry.extensions import MaskErrors

from schema.extensions import MaskUnexpectedErrors, ReleasingExecutionContext
from schema.root import build_schema
from schema.strawberry_internals import graphql_core_schema


def test_the_graphql_core_schema_is_the_one_strawberry_executes() -> None:
    built = graphql_core_schema(build_schema())
    assert isinstance(built, GraphQLSchema)
    assert built.query_type is not None
    assert built.query_type.name == "Query"


def test_mask_errors_still_processes_results_in_the_overridden_hook() -> None:
    assert "_process_result" in vars(MaskErrors), "MaskErrors no longer has _process_result: review the override"
    assert "_process_errors" in vars(MaskErrors)
    assert "_process_result" in vars(MaskUnexpectedErrors)


def test_the_executor_still_keeps_its_helpers_where_they_are_released() -> None:
    source = inspect.getsource(ReleasingExecutionContext.__mro__[1])
    assert "self.async_helpers" in source, "graphql-core's executor no longer has async_helpers: review the release"
