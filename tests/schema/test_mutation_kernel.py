"""`@mutation` knows the node type of every id it decodes: an id argument without one fails when it is declared."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
import strawberry

from schema.ids import TownId
from schema.mutation import Call, mutation


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
