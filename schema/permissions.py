"""The permission layer at the GraphQL edge. Every root field names one of these; a test enforces it.

Field-level guards decide *who may call*; which rows a caller may see is decided by each domain's
`visible_to(viewer)` statements in `service`.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info


class Public(BasePermission):
    """Open to everyone, including anonymous callers."""

    message = "public"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


class Authenticated(BasePermission):
    """Any logged-in person; what they may do beyond that is checked by the service with their roles."""

    message = "Anmeldung erforderlich."

    def __init__(self) -> None:
        self.error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer.is_authenticated


GUARDS: tuple[type[BasePermission], ...] = (Public, Authenticated)
