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


class CommonErrorCode(StrEnum):
    """Codes of user errors every domain may raise. Each domain has its own enum for the rest
    (`service/<domain>/errors.py`); clients switch on the code, people read the German message."""

    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    TITLE_LENGTH = "TITLE_LENGTH"
    BODY_TOO_LONG = "BODY_TOO_LONG"
    TEXT_INVALID = "TEXT_INVALID"


class UserError(Exception):
    """A refused request that the caller can correct; returned as data in the mutation's result union."""

    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(UserError):
    def __init__(self, code: StrEnum, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, field=field)
