"""`@mutation` knows the node type of every id it decodes: an id argument without one fails when it is declared."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
import strawberry

from schema.ids import TownId
from schema.mutation import Call, mutation, service_mutation


@strawberry.type
class Done:
    done: bool = True


@strawberry.input
class BareInput:
    town_id: uuid.UUID


@strawberry.input
class NamedInput:
    town_ids: list[TownId]


async def _bare_argument(call: Call, town_id: uuid.UUID) -> Done:
    return Done()


async def _bare_in_input(call: Call, input: BareInput) -> Done:
    return Done()


async def _named(call: Call, input: NamedInput, other: TownId | None = None) -> Done:
    return Done()


@pytest.mark.parametrize("resolver", [_bare_argument, _bare_in_input], ids=["argument", "input field"])
def test_an_id_without_its_node_type_is_refused_when_declared(resolver: Callable[..., Awaitable[Done]]) -> None:
    with pytest.raises(TypeError, match="names its node type"):
        mutation("Refused.")(resolver)


def test_ids_named_by_node_type_are_accepted_in_arguments_inputs_and_lists() -> None:
    assert mutation("Accepted.")(_named).python_name == "_named"


@strawberry.type
class Row:
    name: str

    @classmethod
    def from_row(cls, row: str) -> Row:
        return cls(name=row)


@strawberry.type
class RowKept:
    row: Row


@strawberry.type
class TwoFields:
    row: Row
    also: bool


@strawberry.input
class RowInput:
    town_id: TownId
    name: str


async def keep_row(session: object, viewer: object, *, town_id: uuid.UUID, name: str) -> str:
    return name


def test_a_service_mutation_is_named_like_its_service_call_and_takes_the_arguments_in_order() -> None:
    field = service_mutation(keep_row, RowKept, "Kept.", town_id=TownId, name_=str)
    assert field.python_name == "keep_row"
    assert [argument.python_name for argument in field.arguments] == ["town_id", "name_"]
    assert field.description == "Kept."


def test_a_service_mutation_may_be_named_otherwise_and_take_an_input_object() -> None:
    field = service_mutation(keep_row, RowKept, "Kept.", name="keep_a_row", input=RowInput)
    assert field.python_name == "keep_a_row"
    assert [argument.python_name for argument in field.arguments] == ["input"]


@pytest.mark.parametrize(
    ("success", "message"),
    [(TwoFields, "one row in one field, not 2"), (Done, "no type built from a row")],
    ids=["two fields", "no row type"],
)
def test_a_success_type_that_does_not_hold_one_row_is_refused_when_declared(success: type, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        service_mutation(keep_row, success, "Refused.", town_id=TownId)
