"""User errors as data: every mutation returns a union of its success type and these."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from graphql import FieldNode
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.relay import GlobalID, GlobalIDValueError

from schema.context import Info
from service.errors import ErrorCode, NotFound, UserError

strawberry.enum(ErrorCode, name="UserErrorCode", description="Why a request was refused.")


@strawberry.interface(name="UserError", description="A refused request the caller can correct.")
class UserErrorType:
    code: ErrorCode
    message: str = strawberry.field(description="German, for people.")
    field: str | None = strawberry.field(description="The input field at fault, if one is.")


@strawberry.type(description="The input breaks a rule; nothing was changed.")
class InvalidInput(UserErrorType):
    pass


@strawberry.type(name="NotFound", description="Something the input refers to does not exist or is not visible.")
class NotFoundError(UserErrorType):
    pass


def as_data(error: UserError) -> InvalidInput | NotFoundError:
    kind = NotFoundError if isinstance(error, NotFound) else InvalidInput
    return kind(code=error.code, message=error.message, field=error.field)


T = TypeVar("T")


async def run_mutation(info: Info, action: Callable[[AsyncSession], Awaitable[T]]) -> T | InvalidInput | NotFoundError:
    """Run one service call in a savepoint: a user error or a refusal rolls back exactly this mutation.

    The only field of a document needs no savepoint: its transaction holds nothing else to keep (two round trips
    fewer; see `UnitOfWork.savepoint`)."""
    selections = info.operation.selection_set.selections
    alone = len(selections) == 1 and isinstance(selections[0], FieldNode)
    try:
        async with info.context.uow.savepoint(alone=alone) as session:
            return await action(session)
    except UserError as error:
        return as_data(error)


def decode_id(value: strawberry.ID | str, type_name: str, *, field: str) -> uuid.UUID:
    """A global id of the expected type, or an InvalidInput naming the field."""
    invalid = UserError(ErrorCode.INVALID_INPUT, "Diese ID ist ungültig.", field=field)
    try:
        global_id = GlobalID.from_id(value)
        node_id = uuid.UUID(global_id.node_id)
    except (GlobalIDValueError, ValueError):
        raise invalid from None
    if global_id.type_name != type_name:
        raise invalid
    return node_id
