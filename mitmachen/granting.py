"""`mitmachen grant`: the operator's way to give (or take) roles, e.g. the first admin of a town."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth import roles
from service.auth.demo import DEMO_PEOPLE
from service.auth.viewer import Role
from service.config import ConfigurationError, Settings
from service.db.engine import create_engine, create_session_factory
from service.kit.jobs import DiscardingJobSender
from service.kit.unit_of_work import UnitOfWork
from service.towns.models import Town
from service.users.models import User
from service.users.service import ensure_person


class GrantError(Exception):
    pass


async def _user_id(session: AsyncSession, *, email: str | None, issuer: str | None, subject: str | None) -> uuid.UUID:
    if email is not None:
        found = (await session.scalars(select(User.id).where(func.lower(User.email) == email.lower()))).all()
        if len(found) != 1:
            raise GrantError(f"{len(found)} people have the e-mail address {email!r}; use --issuer and --subject")
        return found[0]
    if issuer is None or subject is None:
        raise GrantError("name the person by --email, or by --issuer and --subject")
    # A person who has not logged in yet is created now, as their first login would.
    user_id = await ensure_person(session, issuer=issuer.rstrip("/"), subject=subject)
    if user_id is None:
        raise GrantError("this person deleted their account")
    return user_id


async def _town_id(session: AsyncSession, slug: str | None) -> uuid.UUID | None:
    if slug is None:
        return None
    town_id = await session.scalar(select(Town.id).where(Town.slug == slug))
    if town_id is None:
        raise GrantError(f"no town with slug {slug!r}")
    return town_id


async def change_role(
    settings: Settings,
    *,
    role: Role,
    town: str | None,
    email: str | None,
    issuer: str | None,
    subject: str | None,
    revoke: bool,
) -> str:
    roles.check_scope(role, in_town=town is not None)  # before anything is looked up or created
    engine = create_engine(settings, pool_size=1)
    try:
        async with UnitOfWork(create_session_factory(engine), DiscardingJobSender()) as uow, uow.session() as s:
            user_id = await _user_id(s, email=email, issuer=issuer, subject=subject)
            town_id = await _town_id(s, town)
            where = f" in {town}" if town else " region-wide"
            if revoke:
                held = await roles.revoke_role(s, None, user_id=user_id, role=role, town_id=town_id)
                return f"revoked {role.value}{where}" if held else f"{role.value}{where} was not held"
            await roles.grant_role(s, None, user_id=user_id, role=role, town_id=town_id)
            return f"granted {role.value}{where}"
    finally:
        await engine.dispose()


async def seed_demo_people(session: AsyncSession, *, issuer: str) -> None:
    """The development login's demo people with their roles (idempotent)."""
    for demo in DEMO_PEOPLE:
        user_id = await ensure_person(
            session,
            issuer=issuer,
            subject=demo.subject,
            display_name=demo.name,
            email=demo.email,
            home_town_id=select(Town.id).where(Town.slug == demo.home_town).scalar_subquery(),
        )
        if user_id is None:
            raise ConfigurationError(f"demo person {demo.subject} could not be created")
        for role, slug in demo.roles:
            await roles.grant_role(session, None, user_id=user_id, role=role, town_id=await _town_id(session, slug))
