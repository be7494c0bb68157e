from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.models import RoleGrant
from service.users.models import User


async def users_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    rows = await session.scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user for user in rows}


async def user_with_grants(
    session: AsyncSession, *, user_id: uuid.UUID | None = None, issuer: str | None = None, subject: str | None = None
) -> tuple[User, list[RoleGrant]] | None:
    """One statement: the person and every role they hold."""
    condition = User.id == user_id if user_id is not None else (User.issuer == issuer) & (User.subject == subject)
    rows = (
        await session.execute(
            select(User, RoleGrant)
            .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
            .where(condition, User.deleted_at.is_(None))
        )
    ).all()
    if not rows:
        return None
    return rows[0][0], [grant for _, grant in rows if grant is not None]


async def grants_by_user_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RoleGrant]]:
    rows = await session.scalars(
        select(RoleGrant).where(RoleGrant.user_id.in_(ids)).order_by(RoleGrant.granted_at, RoleGrant.id)
    )
    grouped: dict[uuid.UUID, list[RoleGrant]] = {user_id: [] for user_id in ids}
    for grant in rows:
        grouped[grant.user_id].append(grant)
    return grouped
