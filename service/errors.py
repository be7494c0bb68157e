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
