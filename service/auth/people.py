"""Finding people for a town's admins: who holds the town's roles, and who a name or an e-mail address is, so that
a role can be granted. Both show e-mail addresses, so only those who manage the town's roles read them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.models import RoleGrant
from service.auth.policies import can_manage_roles
from service.auth.viewer import Viewer
from service.kit.errors import InvalidArgument, PermissionDenied
from service.users.models import User

MOST_MATCHES = 5
SHORTEST_SEARCH = 3
LONGEST_SEARCH = 320


def _require_admin(viewer: Viewer, town_id: uuid.UUID) -> None:
    viewer.require_person()
    if not can_manage_roles(viewer, town_id=town_id):
        raise PermissionDenied(
            "Personen und Rollen einer Stadt sehen nur deren Administratorinnen und Administratoren."
        )


async def role_holders(
    session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID
) -> Sequence[tuple[RoleGrant, User]]:
    """The town's roles and who holds them, by role and name (organisations' managers are not the town's)."""
    _require_admin(viewer, town_id)
    rows = await session.execute(
        select(RoleGrant, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.town_id == town_id, RoleGrant.organisation_id.is_(None), User.deleted_at.is_(None))
        .order_by(RoleGrant.role, func.lower(User.display_name), User.id)
    )
    return [(grant, user) for grant, user in rows.all()]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def find_people(session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID, text: str) -> Sequence[User]:
    """At most five people whose e-mail address is `text` or whose name contains it; exact addresses first."""
    _require_admin(viewer, town_id)
    wanted = text.strip()
    if not SHORTEST_SEARCH <= len(wanted) <= LONGEST_SEARCH:
        raise InvalidArgument(
            f"Bitte {SHORTEST_SEARCH} bis {LONGEST_SEARCH} Zeichen eingeben: einen Namen oder eine E-Mail-Adresse."
        )
    same_address = func.lower(User.email) == wanted.lower()
    found = await session.scalars(
        select(User)
        .where(
            User.deleted_at.is_(None),
            or_(same_address, User.display_name.ilike(_like_pattern(wanted), escape="\\")),
        )
        .order_by(same_address.desc(), func.lower(User.display_name), User.id)
        .limit(MOST_MATCHES)
    )
    return found.all()
