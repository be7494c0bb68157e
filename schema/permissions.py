"""The permission layer at the GraphQL edge. Every root field names one of these; a test enforces it.

Field-level guards decide *who may call*; which rows a caller may see is decided by each domain's
`visible_to(viewer)` statements in `service`.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location

from schema.context import Info


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="requires",
    description="Who may call this field: PUBLIC everyone, anonymous callers too; AUTHENTICATED any logged-in "
    "person. Which roles a call needs beyond that the service decides; the field's description names them.",
)
class Requires:
    guard: str


class Public(BasePermission):
    """Open to everyone, including anonymous callers."""

    message = "public"
    _schema_directive = Requires(guard="PUBLIC")

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


class Authenticated(BasePermission):
    """Any logged-in person; what they may do beyond that is checked by the service with their roles."""

    message = "Anmeldung erforderlich."
    _schema_directive = Requires(guard="AUTHENTICATED")

    def __init__(self) -> None:
        self.error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer.is_authenticated


GUARDS: tuple[type[BasePermission], ...] = (Public, Authenticated)


def show_guards(*roots: type) -> None:
    """Name each root field's guard in the SDL (`@requires(guard: ...)`), so the API documents who may call it.

    Strawberry runs `permission_classes` without adding their directives; this adds them once, before the schema
    is built.
    """
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            for extension in field.extensions:
                if not isinstance(extension, PermissionExtension):
                    continue
                for permission in extension.permissions:
                    directive = permission.schema_directive
                    if directive not in field.directives:
                        field.directives.append(directive)
