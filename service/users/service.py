"""People: created on first sight from a validated identity; the viewer is built from them and their roles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.models import RoleGrant
from service.auth.tokens import Identity, TokenRejected
from service.auth.viewer import Grant, Role, Viewer
from service.kit.errors import NotAuthenticated, NotFound
from service.kit.text import one_line
from service.privacy.identities import deleted_since, identity_digest
from service.towns.errors import TownErrorCode
from service.towns.models import Town
from service.users import repository
from service.users.models import User

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 320
# `last_seen_at` is written at most once per this interval per person, not on every request.
LAST_SEEN_INTERVAL = timedelta(minutes=5)


def _profile(claims: dict[str, Any]) -> dict[str, str | None]:
    name = claims.get("name") or claims.get("preferred_username")
    email = claims.get("email")
    # Names and addresses go into lists and mail headers: a name is made one line, an address that is not one
    # line without spaces is not used at all.
    display_name = one_line(str(name))[:MAX_NAME_LENGTH] if name else ""
    address = str(email) if email else ""
    usable = address and len(address) <= MAX_EMAIL_LENGTH and one_line(address) == address and " " not in address
    return {"display_name": display_name or None, "email": address if usable else None}


def viewer_from(
    user: User,
    grants: Sequence[RoleGrant],
    extra: Sequence[Grant] = (),
    *,
    via_cookie: bool,
    identity_key: bytes | None = None,
) -> Viewer:
    digest = (
        identity_digest(identity_key, user.issuer, user.subject)
        if identity_key is not None and user.issuer is not None and user.subject is not None
        else None
    )
    return Viewer(
        user_id=user.id,
        home_town_id=user.home_town_id,
        grants=frozenset(
            [Grant(Role(grant.role), grant.town_id, grant.organisation_id) for grant in grants] + list(extra)
        ),
        via_cookie=via_cookie,
        identity_digest=digest,
    )


async def ensure_person(session: AsyncSession, *, issuer: str, subject: str, **columns: object) -> uuid.UUID | None:
    """The id of the person with this identity, created (with `columns`) if they are new.

    None when the identity belongs to a deleted account.
    """
    await session.execute(
        insert(User)
        .values(id=uuid.uuid4(), issuer=issuer, subject=subject, **columns)
        .on_conflict_do_nothing(index_elements=[User.issuer, User.subject])
    )
    return await session.scalar(
        select(User.id).where(User.issuer == issuer, User.subject == subject, User.deleted_at.is_(None))
    )


async def viewer_for_identity(
    session: AsyncSession, identity: Identity, *, roles_claim: str | None = None, identity_key: bytes | None = None
) -> Viewer:
    """The person behind a validated token, created on first sight (keyed by issuer and subject).

    Name and e-mail follow the identity provider's claims. With `roles_claim` set, entries like
    `moderator:soest` (or `region_staff` for region-wide roles) in that claim add roles for this request only.
    With `identity_key`, a token issued before the account of this identity was deleted is refused (it must not
    open a new account), and the viewer carries the identity's digest.
    """
    found = await repository.user_with_grants_by_identity(session, issuer=identity.issuer, subject=identity.subject)
    profile = _profile(identity.claims)
    if found is None and identity_key is not None:
        await _refuse_if_issued_before_deletion(session, identity, identity_key)
    if found is None:
        user_id = await ensure_person(
            session, issuer=identity.issuer, subject=identity.subject, last_seen_at=func.now(), **profile
        )
        found = await repository.user_with_grants(session, User.id == user_id) if user_id else None
        if found is None:
            raise NotAuthenticated("Dieses Konto wurde gelöscht.")
    user, grants = found
    if any(profile[key] is not None and getattr(user, key) != profile[key] for key in profile):
        await session.execute(update(User).where(User.id == user.id).values(**profile))
    await note_seen(session, user)
    extra = await _claimed_grants(session, identity.claims.get(roles_claim)) if roles_claim else []
    return viewer_from(user, grants, extra, via_cookie=False, identity_key=identity_key)


async def _refuse_if_issued_before_deletion(session: AsyncSession, identity: Identity, key: bytes) -> None:
    deleted_at = await deleted_since(session, identity_digest(key, identity.issuer, identity.subject))
    if deleted_at is None:
        return
    issued_at = identity.claims.get("iat")
    if not isinstance(issued_at, int | float) or issued_at <= deleted_at.timestamp():
        raise TokenRejected("account deleted")


async def note_seen(session: AsyncSession, user: User) -> None:
    """Record that the person used the service, when the recorded time is older than `LAST_SEEN_INTERVAL`.

    The row was just read, so a fresh time costs nothing; a stale one costs one UPDATE that skips a row another
    request of the same person is updating right now (no request waits for another's commit).
    """
    if user.last_seen_at is not None and datetime.now(UTC) - user.last_seen_at < LAST_SEEN_INTERVAL:
        return
    stale = (
        select(User.id)
        .where(
            User.id == user.id, or_(User.last_seen_at.is_(None), User.last_seen_at < func.now() - LAST_SEEN_INTERVAL)
        )
        .with_for_update(key_share=True, skip_locked=True)
    )
    await session.execute(
        update(User)
        .where(User.id.in_(stale))
        .values(last_seen_at=func.now())
        .execution_options(synchronize_session=False)
    )


async def _claimed_grants(session: AsyncSession, claim: object) -> list[Grant]:
    if not isinstance(claim, list):
        return []
    wanted: list[tuple[Role, str | None]] = []
    for entry in claim:
        role_name, _, town_slug = str(entry).partition(":")
        if role_name == Role.ADMIN.value and not town_slug:
            role_name = Role.REGION_ADMIN.value  # `admin` without a town meant the region admin before 0011
        # An organisation manager's role names an organisation, which a claim cannot.
        if role_name in Role.__members__.values() and role_name != Role.ORGANISATION_MANAGER.value:
            wanted.append((Role(role_name), town_slug or None))
    slugs = {slug for _, slug in wanted if slug}
    rows = await session.execute(select(Town.slug, Town.id).where(Town.slug.in_(slugs)))
    town_ids = {row[0]: row[1] for row in rows}
    return [
        Grant(role, town_ids[slug] if slug else None)
        for role, slug in wanted
        if (slug is None and role in {Role.REGION_STAFF, Role.REGION_ADMIN})
        or (slug in town_ids and role not in {Role.REGION_STAFF, Role.REGION_ADMIN})
    ]


async def get_user(session: AsyncSession, viewer: Viewer) -> User:
    user_id = viewer.require_person()
    user = (await repository.users_by_ids(session, [user_id])).get(user_id)
    if user is None:
        raise NotAuthenticated
    return user


async def choose_home_town(session: AsyncSession, viewer: Viewer, *, town_slug: str) -> User:
    user = await get_user(session, viewer)
    town_id = await session.scalar(select(Town.id).where(Town.slug == town_slug))
    if town_id is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townSlug")
    user.home_town_id = town_id
    await session.flush()
    return user
