"""Granting and revoking roles: each change is checked against the policy and written to the audit log."""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, delete, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.errors import RoleErrorCode
from service.auth.models import RoleGrant
from service.auth.policies import REGION_WIDE_ROLES, can_manage_roles
from service.auth.viewer import Role, Viewer
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.towns.errors import TownErrorCode
from service.towns.models import Town
from service.users.models import User


def check_scope(role: Role, *, in_town: bool) -> None:
    """Town roles need a town, region roles have none; an organisation's managers are not granted this way."""
    if role is Role.ORGANISATION_MANAGER:
        # The role belongs to one organisation; its managers add and remove each other.
        raise UserError(
            RoleErrorCode.ROLE_NEEDS_ORGANISATION,
            "Verantwortliche einer Organisation fügen deren Verantwortliche hinzu (addOrganisationManager).",
            field="role",
        )
    if not in_town and role not in REGION_WIDE_ROLES:
        raise UserError(RoleErrorCode.ROLE_NEEDS_TOWN, "Diese Rolle gilt immer für eine Stadt.", field="townId")
    if in_town and role in REGION_WIDE_ROLES:
        raise UserError(RoleErrorCode.ROLE_IS_REGION_WIDE, "Diese Rolle gilt für die ganze Region.", field="townId")


async def _check(
    session: AsyncSession, viewer: Viewer | None, *, user_id: uuid.UUID, role: Role, town_id: uuid.UUID | None
) -> None:
    """`viewer` None is the operator at the command line, who may do anything."""
    if viewer is not None:
        viewer.require_person()
        if not can_manage_roles(viewer, town_id=town_id):
            raise PermissionDenied("Rollen in dieser Stadt vergeben nur deren Administratorinnen und Administratoren.")
    check_scope(role, in_town=town_id is not None)
    if town_id is not None and await session.get(Town, town_id) is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townId")
    user = await session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(RoleErrorCode.UNKNOWN_USER, "Diese Person ist nicht bekannt.", field="userId")


def _describe(role: Role, town_id: uuid.UUID | None) -> dict[str, str | None]:
    return {"role": role.value, "town_id": str(town_id) if town_id else None}


async def grant_role(
    session: AsyncSession, viewer: Viewer | None, *, user_id: uuid.UUID, role: Role, town_id: uuid.UUID | None
) -> RoleGrant:
    """Idempotent: granting a role the person already holds changes nothing and records nothing."""
    await _check(session, viewer, user_id=user_id, role=role, town_id=town_id)
    statement = insert(RoleGrant).values(
        id=uuid.uuid4(),
        user_id=user_id,
        role=role.value,
        town_id=town_id,
        granted_by_id=viewer.user_id if viewer else None,
    )
    # A no-op update on conflict returns the existing row; xmax = 0 tells a fresh insert from an existing grant.
    grant, inserted = (
        await session.execute(
            statement.on_conflict_do_update(
                constraint="uq_role_grants_user_id_role_town_id_organisation_id",
                set_={"role": statement.excluded.role},
            ).returning(RoleGrant, literal_column("xmax = 0", Boolean)),
            execution_options={"populate_existing": True},
        )
    ).one()
    if inserted:
        record(
            session,
            viewer,
            action="role.granted",
            subject_type="user",
            subject_id=user_id,
            town_id=town_id,
            after=_describe(role, town_id),
        )
    return grant


async def revoke_role(
    session: AsyncSession, viewer: Viewer | None, *, user_id: uuid.UUID, role: Role, town_id: uuid.UUID | None
) -> bool:
    """Returns whether the person held the role; revoking a role not held changes nothing."""
    await _check(session, viewer, user_id=user_id, role=role, town_id=town_id)
    removed = await session.scalar(
        delete(RoleGrant)
        .where(
            RoleGrant.user_id == user_id,
            RoleGrant.role == role.value,
            RoleGrant.town_id.is_(None) if town_id is None else RoleGrant.town_id == town_id,
            RoleGrant.organisation_id.is_(None),
        )
        .returning(RoleGrant.id)
    )
    if removed is not None:
        record(
            session,
            viewer,
            action="role.revoked",
            subject_type="user",
            subject_id=user_id,
            town_id=town_id,
            before=_describe(role, town_id),
        )
    return removed is not None
