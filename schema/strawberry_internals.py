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
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLField, GraphQLSchema
from strawberry import Schema
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension
from strawberry.http.types import QueryParams
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema import validate_document as _validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types import ExecutionContext
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryContainer, StrawberryType
from strawberry.types.field import StrawberryField
from strawberry.types.graphql import OperationType
from strawberry.types.lazy_type import LazyType
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


def field_extensions(field: GraphQLField) -> list[FieldExtension]:
    """The strawberry field extensions of a field of the built schema (e.g. a write limit's `RateLimited`), from
    the definition strawberry keeps on graphql-core's field; none for a field strawberry did not build."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return list(definition.extensions) if isinstance(definition, StrawberryField) else []


def argument_definitions(schema: Schema) -> list[StrawberryArgument]:
    """strawberry's definition of every argument of every field of the built schema (what it converts the
    argument's value with on each call)."""
    found: list[StrawberryArgument] = []
    for graphql_type in graphql_core_schema(schema).type_map.values():
        for field in getattr(graphql_type, "fields", {}).values():
            for argument in getattr(field, "args", {}).values():
                definition = argument.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
                if isinstance(definition, StrawberryArgument):
                    found.append(definition)
    return found


def is_lazy(type_: object) -> bool:
    """Whether a strawberry type is, or wraps (optional, list), a lazy reference (`strawberry.lazy`)."""
    while isinstance(type_, StrawberryContainer):
        type_ = type_.of_type
    return isinstance(type_, LazyType)


def settle_lazy_arguments(schema: Schema) -> None:
    """Give every argument declared with a lazy type (`Annotated[T, strawberry.lazy(...)]`, for modules that
    import each other) the type it refers to, once the schema is built.

    strawberry converts an argument's value on every call, and for a lazy type it looks the type up again each
    time (an import, and under `python -m` a `Path.samefile` with two `stat` calls): some 14 µs per argument and
    call that the settled type does not cost. The schema (the SDL) stays the same.
    """
    for argument in argument_definitions(schema):
        settled = _settled(argument.type)
        if settled is not argument.type:
            argument.type_annotation = StrawberryAnnotation(settled)


def _settled(type_: StrawberryType | type) -> StrawberryType | type:
    if isinstance(type_, LazyType):
        resolved: type = type_.resolve_type()
        return resolved
    if isinstance(type_, StrawberryContainer):
        inner = _settled(type_.of_type)
        return type_ if inner is type_.of_type else type(type_)(inner)
    return type_
