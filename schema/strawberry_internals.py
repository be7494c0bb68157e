"""The internals of strawberry and graphql-core this project relies on, in one place.

strawberry gives no public accessor for the graphql-core schema it builds, for the operation name the request
named (as opposed to the one it guessed), for its own validation rules, nor a hook to release the executor's
helpers or to tell why it refused an operation type; and some names it hands out (the operation type, the nodes
of `info.selected_fields`, the query parameters of its views, its default `ID` scalar, its camel-casing of names)
live in modules it does not export. Each use goes through here, and
`tests/schema/test_strawberry_internals.py` fails on an upgrade that changes any of them (strawberry is pinned to
compatible releases in pyproject). Nothing else imports from strawberry's or graphql-core's private modules.
"""

from __future__ import annotations

from typing import Any

import strawberry
from cross_web import HTTPException
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry import Schema
from strawberry.http.types import QueryParams
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema import validate_document as _validate_document
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType
from strawberry.types.nodes import SelectedField, Selection
from strawberry.types.scalar import ScalarDefinition
from strawberry.utils.str_converters import to_camel_case

# The names strawberry hands out from modules it does not export, imported from here (the functions below are
# this module's own).
__all__ = ["OperationType", "QueryParams", "SelectedField", "Selection", "to_camel_case"]


def graphql_core_schema(schema: Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (validation and root-type lookups need it)."""
    return schema._schema


def provided_operation_name(context: ExecutionContext) -> str | None:
    """The `operationName` the request sent (`ExecutionContext.operation_name` falls back to the first
    operation's name, which hides whether the client chose one)."""
    name: str | None = context._provided_operation_name
    return name


def validate_document(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """graphql-core's validation with `rules` and the rules strawberry adds itself (`@oneOf`, `Maybe`)."""
    return _validate_document(schema, document, rules)


def refused_operation_type(error: HTTPException) -> OperationType | None:
    """The operation type strawberry's view refused for the request's method (a mutation over GET), else None."""
    cause = error.__cause__
    return cause.operation_type if isinstance(cause, InvalidOperationTypeError) else None


class ReleasingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor hands its resolvers helpers that are its own bound methods: the executor refers to
    itself, and through its context value to everything the request loaded. Such a cycle waits for the garbage
    collector; once the response is built the executor lets go of the helpers, so the request's objects are
    freed as soon as the request ends. (Resolvers still running keep the helpers through their info.)
    """

    def build_response(self, data: dict[str, Any] | None) -> Any:
        response = super().build_response(data)
        del self.async_helpers
        return response


def id_scalar() -> ScalarDefinition:
    """strawberry's `ID` scalar, for `scalar_overrides` (a `uuid.UUID` in Python is an `ID` in the schema)."""
    return DEFAULT_SCALAR_REGISTRY[strawberry.ID]
