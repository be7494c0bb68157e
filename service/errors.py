"""Errors that are part of the contract: shown to the caller as they are, never masked."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ExpectedError(Exception):
    """Base of errors whose message is meant for the caller."""

    code: ClassVar[str] = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code}


class NotAuthenticated(ExpectedError):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Anmeldung erforderlich.") -> None:
        super().__init__(message)


class InvalidArgument(ExpectedError):
    """A query argument out of range (queries have no result union, so this is a top-level error)."""

    code = "BAD_USER_INPUT"


class PermissionDenied(ExpectedError):
    code = "FORBIDDEN"

    def __init__(self, message: str = "Dafür fehlt Ihnen die Berechtigung.") -> None:
        super().__init__(message)


class ErrorCode(StrEnum):
    """Machine-readable codes of user errors; clients switch on these, people read the German message."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNKNOWN_TOWN = "UNKNOWN_TOWN"
    UNKNOWN_USER = "UNKNOWN_USER"
    ROLE_NEEDS_TOWN = "ROLE_NEEDS_TOWN"
    ROLE_IS_REGION_WIDE = "ROLE_IS_REGION_WIDE"
    TITLE_LENGTH = "TITLE_LENGTH"
    BODY_TOO_LONG = "BODY_TOO_LONG"
    TEXT_INVALID = "TEXT_INVALID"
    UNKNOWN_STRATEGY_AREA = "UNKNOWN_STRATEGY_AREA"
    LOCATION_OUTSIDE_TOWN = "LOCATION_OUTSIDE_TOWN"
    TOO_MANY_IMAGES = "TOO_MANY_IMAGES"
    ALT_TEXT_LENGTH = "ALT_TEXT_LENGTH"
    UNKNOWN_IDEA = "UNKNOWN_IDEA"
    UNKNOWN_COMMENT = "UNKNOWN_COMMENT"
    IDEA_NOT_EDITABLE = "IDEA_NOT_EDITABLE"
    IDEA_NOT_OPEN = "IDEA_NOT_OPEN"
    OWN_IDEA = "OWN_IDEA"
    COMMENT_LENGTH = "COMMENT_LENGTH"
    REPLY_NOT_ALLOWED = "REPLY_NOT_ALLOWED"
    REPORT_TEXT_TOO_LONG = "REPORT_TEXT_TOO_LONG"
    ALREADY_REPORTED = "ALREADY_REPORTED"
    ANSWER_LENGTH = "ANSWER_LENGTH"
    REPORT_THRESHOLD_RANGE = "REPORT_THRESHOLD_RANGE"
    MODERATION_REASON_LENGTH = "MODERATION_REASON_LENGTH"
    DECISION_NOT_APPLICABLE = "DECISION_NOT_APPLICABLE"
    MODERATION_TERM_INVALID = "MODERATION_TERM_INVALID"
    MODERATION_TERM_LIMIT = "MODERATION_TERM_LIMIT"
    UNKNOWN_MODERATION_TERM = "UNKNOWN_MODERATION_TERM"


class UserError(Exception):
    """A refused request that the caller can correct; returned as data in the mutation's result union."""

    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(UserError):
    def __init__(self, code: ErrorCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
