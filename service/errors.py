"""Errors that are part of the contract: shown to the caller as they are, never masked."""

from __future__ import annotations

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
