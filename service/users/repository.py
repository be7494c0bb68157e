from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.models import RoleGrant
from service.kit.lookup import by_key, grouped, key_in_keys, keys
from service.users.models import User

_USERS_BY_IDS = select(User).where(key_in_keys(User.id))
_GRANTS_BY_USER_IDS = (
    select(RoleGrant).where(key_in_keys(RoleGrant.user_id)).order_by(RoleGrant.granted_at, RoleGrant.id)
)


async def users_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    return by_key(await session.scalars(_USERS_BY_IDS, keys(ids)), attrgetter("id"))


_WITH_GRANTS = select(User, RoleGrant).outerjoin(RoleGrant, RoleGrant.user_id == User.id)
# Every request with a bearer token runs this one: built once (see `service.kit.lookup`).
_BY_IDENTITY = _WITH_GRANTS.where(
    User.issuer == bindparam("issuer"), User.subject == bindparam("subject"), User.deleted_at.is_(None)
)


async def user_with_grants(
    session: AsyncSession, *conditions: ColumnElement[bool], join: tuple[type[Any], ColumnElement[bool]] | None = None
) -> tuple[User, list[RoleGrant]] | None:
    """One statement: the (not deleted) person matching `conditions` and every role they hold."""
    statement = _WITH_GRANTS if join is None else _WITH_GRANTS.join(*join)
    return _with_grants((await session.execute(statement.where(*conditions, User.deleted_at.is_(None)))).all())


async def user_with_grants_by_identity(
    session: AsyncSession, *, issuer: str, subject: str
) -> tuple[User, list[RoleGrant]] | None:
    """`user_with_grants` for the person of an identity (issuer and subject)."""
    return _with_grants((await session.execute(_BY_IDENTITY, {"issuer": issuer, "subject": subject})).all())


def _with_grants(rows: Sequence[Row[User, RoleGrant]]) -> tuple[User, list[RoleGrant]] | None:
    if not rows:
        return None
    return rows[0][0], [grant for _, grant in rows if grant is not None]


async def grants_by_user_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[RoleGrant]]:
    return grouped(ids, await session.scalars(_GRANTS_BY_USER_IDS, keys(ids)), attrgetter("user_id"))
