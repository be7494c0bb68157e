"""Every root field of the API names a guard of the permission layer; a field without one fails the build."""

from __future__ import annotations

from typing import Any

import graphql
import strawberry
from graphql import print_ast
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.permissions import GUARDS, Authenticated, Public
from schema.root import build_schema


def _enforced_guards(field: StrawberryField) -> list[BasePermission]:
    """The permissions strawberry actually runs for `field` (those of its permission extensions)."""
    return [
        permission
        for extension in field.extensions
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
    ]


def unguarded_root_fields(schema: strawberry.Schema, guards: tuple[type[BasePermission], ...] = GUARDS) -> list[str]:
    """`Type.field` for each root field (query, mutation, subscription) that no permission of `guards` protects."""
    executable = schema._schema
    found: list[str] = []
    for root in (executable.query_type, executable.mutation_type, executable.subscription_type):
        if root is None:
            continue
        for name, field in root.fields.items():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField) or not any(
                isinstance(permission, guards) for permission in _enforced_guards(definition)
            ):
                found.append(f"{root.name}.{name}")
    return found


def test_every_root_field_of_the_api_names_a_guard() -> None:
    schema = build_schema()

    assert unguarded_root_fields(schema) == []


def test_the_walk_sees_every_root_field_of_the_api() -> None:
    executable = build_schema()._schema
    assert executable.query_type is not None
    assert executable.mutation_type is not None

    assert {"towns", "town", "regionThemes", "me", "node"} <= set(executable.query_type.fields)
    assert {"chooseHomeTown", "grantRole", "revokeRole"} <= set(executable.mutation_type.fields)
    assert unguarded_root_fields(build_schema(), guards=()) == [
        *(f"Query.{name}" for name in executable.query_type.fields),
        *(f"Mutation.{name}" for name in executable.mutation_type.fields),
    ]


def test_the_schema_names_the_guard_of_every_root_field() -> None:
    printed = graphql.build_schema(build_schema().as_str())
    assert printed.query_type is not None
    assert printed.mutation_type is not None

    guards = {
        f"{root.name}.{name}": [
            (directive.name.value, print_ast(directive.arguments[0].value))
            for directive in (field.ast_node.directives if field.ast_node else ())
        ]
        for root in (printed.query_type, printed.mutation_type)
        for name, field in root.fields.items()
    }

    assert guards["Query.node"] == [("requires", '"PUBLIC"')]
    assert guards["Mutation.submitIdea"] == [("requires", '"AUTHENTICATED"')]
    assert {name for name, named in guards.items() if len(named) != 1 or named[0][0] != "requires"} == set()


class NotAGuard(BasePermission):
    """A permission class of its own, outside the permission layer."""

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return True


def _answer() -> str:
    return "ok"


def _change() -> bool:
    return True


@strawberry.type
class TinyQuery:
    guarded: str = strawberry.field(resolver=_answer, permission_classes=[Public])
    forgotten: str = strawberry.field(resolver=_answer)
    home_made: str = strawberry.field(resolver=_answer, permission_classes=[NotAGuard])
    plain: str = "an attribute without a resolver"


@strawberry.type
class TinyMutation:
    guarded_change: bool = strawberry.mutation(resolver=_change, permission_classes=[Authenticated])
    unguarded_change: bool = strawberry.mutation(resolver=_change)


def test_the_check_reports_root_fields_without_a_guard_of_the_layer() -> None:
    tiny = strawberry.Schema(query=TinyQuery, mutation=TinyMutation)

    assert sorted(unguarded_root_fields(tiny)) == [
        "TinyMutation.unguardedChange",
        "TinyQuery.forgotten",
        "TinyQuery.homeMade",
        "TinyQuery.plain",
    ]
