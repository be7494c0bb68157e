from __future__ import annotations

import uuid

import strawberry
from strawberry.relay import GlobalID, GlobalIDValueError

from service.kit.errors import CommonErrorCode, UserError
from service.moderation.models import SubjectKind

KINDS = {"Idea": SubjectKind.IDEA, "Comment": SubjectKind.COMMENT}


def decode_subject(value: strawberry.ID | str, *, field: str = "subjectId") -> tuple[SubjectKind, uuid.UUID]:
    """The global id of an idea or a comment, or an InvalidInput naming the field."""
    invalid = UserError(
        CommonErrorCode.INVALID_INPUT, "Diese ID gehört zu keiner Idee und keinem Kommentar.", field=field
    )
    try:
        global_id = GlobalID.from_id(value)
        node_id = uuid.UUID(global_id.node_id)
    except (GlobalIDValueError, ValueError):
        raise invalid from None
    kind = KINDS.get(global_id.type_name)
    if kind is None:
        raise invalid
    return kind, node_id
