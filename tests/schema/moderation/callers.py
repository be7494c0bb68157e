"""Every kind of caller of the moderation API, and what a refusal must leave untouched."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.auth.viewer import Role
from service.moderation.models import ModerationDecision
from service.notifications.models import Notification
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person, town_id

Roles = tuple[tuple[Role, str | None], ...]

# The contributions under test are in Soest; None is nobody logged in.
CALLERS: dict[str, Roles | None] = {
    "anonymous": None,
    "citizen": (),
    "staff of Soest": ((Role.STAFF, "soest"),),
    "moderator of Olpe": ((Role.MODERATOR, "olpe"),),
    "admin of Olpe": ((Role.ADMIN, "olpe"),),
    "region staff": ((Role.REGION_STAFF, None),),
    "moderator of Soest": ((Role.MODERATOR, "soest"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "region admin": ((Role.REGION_ADMIN, None),),
}
MODERATORS_OF_SOEST = frozenset({"moderator of Soest", "admin of Soest", "region admin"})
ADMINS_OF_SOEST = frozenset({"admin of Soest", "region admin"})


async def caller(runtime: Runtime, provider: OidcProvider, name: str) -> tuple[dict[str, str], uuid.UUID | None]:
    """Headers to call as `name` of CALLERS, and the caller's user id (None for anonymous)."""
    held = CALLERS[name]
    if held is None:
        return {}, None
    found = await person(runtime, provider, f"caller-{name.replace(' ', '-').lower()}", roles_held=held, name=name)
    return found.headers, found.user_id


def expected_refusal(name: str) -> str:
    return "UNAUTHENTICATED" if name == "anonymous" else "FORBIDDEN"


async def town_global_id(runtime: Runtime, slug: str) -> str:
    return to_base64("Town", str(await town_id(runtime, slug)))


def global_id(type_name: str, value: uuid.UUID) -> str:
    return to_base64(type_name, str(value))


def refusal_code(body: dict[str, Any], field: str) -> str:
    """The code of the one top-level error, after checking that the field returned nothing."""
    assert (body.get("data") or {}).get(field) is None, body
    errors = body.get("errors") or []
    assert len(errors) == 1, body
    code: str = errors[0]["extensions"]["code"]
    return code


async def footprint(runtime: Runtime) -> tuple[int, int, int, int]:
    """Audit entries, decisions, notifications and queued jobs: what any change leaves behind."""
    async with runtime.unit_of_work() as uow, uow.session() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model)) or 0
            for model in (AuditEntry, ModerationDecision, Notification)
        ]
    return counts[0], counts[1], counts[2], int(await runtime.redis.zcard("arq:queue"))
