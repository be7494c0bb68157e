"""User errors as data: every mutation returns a union of its success type and these (see `schema/mutation.py`)."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import cast

import strawberry
from strawberry.relay import GlobalID, GlobalIDValueError

from service.auth.errors import RoleErrorCode
from service.ideas.errors import IdeaErrorCode
from service.kit.errors import CommonErrorCode, NotFound, UserError
from service.moderation.errors import ModerationErrorCode
from service.privacy.errors import PrivacyErrorCode
from service.surveys.errors import SurveyErrorCode
from service.towns.errors import TownErrorCode
from service.volunteering.errors import VolunteeringErrorCode
from service.webhooks.errors import WebhookErrorCode

# Every domain's codes in one GraphQL enum, so clients keep switching on one `code`; a value means one thing
# wherever it is raised (a test checks that no two domains define the same value).
DOMAIN_CODES: tuple[type[StrEnum], ...] = (
    CommonErrorCode,
    TownErrorCode,
    RoleErrorCode,
    IdeaErrorCode,
    ModerationErrorCode,
    SurveyErrorCode,
    VolunteeringErrorCode,
    PrivacyErrorCode,
    WebhookErrorCode,
)
_ALL_CODES = cast(
    "type[StrEnum]", StrEnum("UserErrorCode", [(code.name, code.value) for codes in DOMAIN_CODES for code in codes])
)
UserErrorCode = strawberry.enum(_ALL_CODES, description="Why a request was refused.")


@strawberry.interface(name="UserError", description="A refused request the caller can correct.")
class UserErrorType:
    code: str = strawberry.field(graphql_type=UserErrorCode)
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


def decode_id(value: strawberry.ID | str, type_name: str, *, field: str) -> uuid.UUID:
    """A global id of the expected type, or an InvalidInput naming the field."""
    invalid = UserError(CommonErrorCode.INVALID_INPUT, "Diese ID ist ungültig.", field=field)
    try:
        global_id = GlobalID.from_id(value)
        node_id = uuid.UUID(global_id.node_id)
    except (GlobalIDValueError, ValueError):
        raise invalid from None
    if global_id.type_name != type_name:
        raise invalid
    return node_id
