"""`@mutation`: the one way a mutation is written.

A resolver takes a `Call` (the session of its savepoint and the viewer) and its arguments, makes one service call
and returns its success type:

    @mutation("Withdraw one's own idea.")
    async def withdraw_idea(call: Call, idea_id: IdeaId) -> IdeaWithdrawn:
        return IdeaWithdrawn(idea=IdeaType.from_row(await service.withdraw_idea(call.session, call.viewer, ...)))

The kernel does the rest. It names the guard (`Authenticated` unless told) and the rate limit; it builds the result
union `<Name>Result = Success | InvalidInput | NotFound`; it decodes every global id among the arguments (also
inside input objects and lists) before the call, by the node type its annotation names (`IdeaId`, see
`schema/ids.py`), so an id of another type or no id at all is an `InvalidInput` naming the field; it runs the call
in a savepoint, so a refusal rolls back exactly this mutation; and it returns a `UserError` as the union member
it stands for.

A mutation that is nothing but one service call, whose row its success type holds, needs no resolver at all:

    withdraw_idea = service_mutation(service.withdraw_idea, IdeaWithdrawn, "Withdraw one's own idea.", idea_id=IdeaId)
"""

from __future__ import annotations

import inspect
import types
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, get_type_hints

import strawberry
from graphql import FieldNode
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.permission import BasePermission
from strawberry.types import has_object_definition

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, as_data, decode_id
from schema.permissions import Authenticated
from schema.ratelimit import RateLimited
from schema.strawberry_internals import to_camel_case
from service.auth.viewer import Viewer
from service.kit.errors import UserError


@dataclass(frozen=True, slots=True)
class Call:
    """What a mutation resolver works with: the session of its savepoint, the viewer, the request's context."""

    info: Info
    session: AsyncSession

    @property
    def viewer(self) -> Viewer:
        return self.info.context.viewer


@dataclass(frozen=True, slots=True)
class Node:
    """Marks a `uuid.UUID` argument as the global id of one node type: `Annotated[uuid.UUID, Node("Idea")]`.

    `field` names another input field in the error than the one the id is in (e.g. the list it stands in).
    """

    type_name: str
    field: str | None = None

    def decode(self, value: str, field: str) -> uuid.UUID:
        return decode_id(value, self.type_name, field=self.field or field)


# Decodes one argument value in place of its global ids; `field` names the input field for the error.
Decoder = Callable[[Any, str], Any]


def _skipping_absent(decode: Decoder) -> Decoder:
    def run(value: Any, field: str) -> Any:
        return value if value is None or value is strawberry.UNSET else decode(value, field)

    return run


def _decoder(hint: Any) -> Decoder | None:
    """How to decode the global ids in a value of this type, or None when it holds none.

    A bare `uuid.UUID` is refused when the schema is built: every id names its node type.
    """
    if hint is uuid.UUID:
        raise TypeError("a uuid.UUID argument names its node type: Annotated[uuid.UUID, Node(...)]")
    origin = get_origin(hint)
    if origin is Annotated:
        return _annotated_decoder(*get_args(hint))
    if origin in (Union, types.UnionType):
        decoders = [found for part in get_args(hint) if (found := _decoder(part)) is not None]
        return decoders[0] if decoders else None
    if origin is list:
        item = _decoder(get_args(hint)[0])
        if item is None:
            return None
        return _skipping_absent(lambda values, field: [item(value, field) for value in values])
    if _is_input(hint):
        return _input_decoder(hint)
    return None


def _annotated_decoder(base: Any, *metadata: Any) -> Decoder | None:
    node = next((item for item in metadata if isinstance(item, Node)), None)
    if node is None:
        return _decoder(base)
    if base is not uuid.UUID:
        raise TypeError(f"Node({node.type_name!r}) marks a uuid.UUID, not {base!r}")
    return _skipping_absent(node.decode)


@cache
def _input_decoder(input_type: type) -> Decoder | None:
    hints = get_type_hints(input_type, include_extras=True)
    fields = [
        (field.python_name, to_camel_case(field.python_name), decoder)
        for field in input_type.__strawberry_definition__.fields  # type: ignore[attr-defined]
        if (decoder := _decoder(hints[field.python_name])) is not None
    ]
    if not fields:
        return None

    def decode(value: Any, _field: str) -> Any:
        for name, graphql_name, decoder in fields:
            setattr(value, name, decoder(getattr(value, name), graphql_name))
        return value

    return _skipping_absent(decode)


_unions: dict[str, Any] = {}


def _result(name: str, success: type) -> Any:
    """`<name> = success | InvalidInput | NotFound`, built once per name (several fields may share one)."""
    if name not in _unions:
        _unions[name] = Annotated[success | InvalidInput | NotFoundError, strawberry.union(name)]
    return _unions[name]


S = TypeVar("S")


def mutation(
    description: str,
    *,
    result: str | None = None,
    guard: type[BasePermission] = Authenticated,
    rate_limit: str | None = None,
) -> Callable[[Callable[..., Awaitable[S]]], Any]:
    """A root mutation field from a resolver `(call: Call, **arguments) -> Success`.

    `result` names the result union (default: the field's name and `Result`); `rate_limit` is the action the call
    counts against (`schema/ratelimit.py`).
    """

    def build(resolve: Callable[..., Awaitable[S]]) -> Any:
        hints = get_type_hints(resolve, include_extras=True)
        _call, *parameters = inspect.signature(resolve).parameters.values()
        decoders = {
            parameter.name: (to_camel_case(parameter.name), decoder)
            for parameter in parameters
            if (decoder := _decoder(hints[parameter.name])) is not None
        }

        async def resolver(info: Info, **arguments: Any) -> Any:
            try:
                for name, (field, decoder) in decoders.items():
                    arguments[name] = decoder(arguments[name], field)
                async with info.context.uow.savepoint(alone=_alone(info)) as session:
                    return await resolve(Call(info, session), **arguments)
            except UserError as error:
                return as_data(error)

        camel = to_camel_case(resolve.__name__)
        name = result or f"{camel[:1].upper()}{camel[1:]}Result"
        resolver.__name__ = resolve.__name__
        resolver.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [
                inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info),
                *(parameter.replace(annotation=hints[parameter.name]) for parameter in parameters),
            ],
            return_annotation=_result(name, hints["return"]),
        )
        return strawberry.mutation(
            resolver=resolver,
            description=description,
            permission_classes=[guard],
            extensions=[RateLimited(rate_limit)] if rate_limit else [],
        )

    return build


def service_mutation(
    service_call: Callable[..., Awaitable[Any]],
    success: type,
    description: str,
    *,
    name: str | None = None,
    result: str | None = None,
    guard: type[BasePermission] = Authenticated,
    rate_limit: str | None = None,
    **arguments: Any,
) -> Any:
    """A root mutation field that is one call `service_call(session, viewer, **arguments)`, through `@mutation`.

    `arguments` name the field's arguments and their types, in order (`offer_id=OfferId`); an input object is passed
    to the service as its fields. The call returns a row, and `success` holds it in its one field, of a type with
    `from_row`. The field is named like the service function unless `name` says otherwise. (No argument can be
    called like one of the options.)
    """
    held, row_type = _one_row_field(success)
    inputs = {argument for argument, hint in arguments.items() if _is_input(hint)}

    async def resolve(call: Call, **values: Any) -> Any:
        keywords: dict[str, Any] = {}
        for argument, value in values.items():
            keywords.update(vars(value) if argument in inputs else {argument: value})
        row = await service_call(call.session, call.viewer, **keywords)
        return success(**{held: row_type.from_row(row)})

    resolve.__name__ = name or service_call.__name__
    resolve.__annotations__ = {"call": Call, **arguments, "return": success}
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("call", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *(inspect.Parameter(argument, inspect.Parameter.KEYWORD_ONLY) for argument in arguments),
        ]
    )
    return mutation(description, result=result, guard=guard, rate_limit=rate_limit)(resolve)


def _one_row_field(success: type) -> tuple[str, Any]:
    """The one field of a success type and its type, which builds itself `from_row`; else refused when declared."""
    fields = success.__strawberry_definition__.fields  # type: ignore[attr-defined]
    if len(fields) != 1:
        raise TypeError(f"{success.__name__} holds one row in one field, not {len(fields)} fields")
    held = fields[0].python_name
    row_type = get_type_hints(success)[held]
    if not hasattr(row_type, "from_row"):
        raise TypeError(f"{success.__name__}.{held} is no type built from a row (from_row)")
    return held, row_type


def _is_input(hint: Any) -> bool:
    return isinstance(hint, type) and has_object_definition(hint) and hint.__strawberry_definition__.is_input


def _alone(info: Info) -> bool:
    """The only field of its document: no savepoint needed (its transaction holds nothing else to keep; two round
    trips fewer, see `UnitOfWork.savepoint`)."""
    selections = info.operation.selection_set.selections
    return len(selections) == 1 and isinstance(selections[0], FieldNode)
