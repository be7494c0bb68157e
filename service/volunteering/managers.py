"""An organisation's managers: they add each other by e-mail address and remove each other, never the last one
while offers are open. When the last manager is gone (e.g. she deleted her account), the town's staff act for the
organisation (`policies.acts_for`) and may add a new manager.

Every change takes the organisation's row lock first, so two managers removing each other at once cannot both
succeed and leave the organisation without anyone, and is written to the audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Boolean, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.errors import RoleErrorCode
from service.auth.models import RoleGrant
from service.auth.viewer import Role, Viewer
from service.kit.errors import CommonErrorCode, NotFound, PermissionDenied, UserError
from service.kit.lookup import key_in_keys, keys
from service.kit.text import clean_text
from service.notifications.service import notify
from service.users.models import User
from service.volunteering.errors import VolunteeringErrorCode
from service.volunteering.models import Offer, OfferStatus, Organisation
from service.volunteering.policies import acts_for, can_verify, manages
from service.volunteering.service import visible_organisation

EMAIL_MAX = 320


async def manager_ids(session: AsyncSession, organisation_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(RoleGrant.user_id)
        .where(RoleGrant.organisation_id == organisation_id, RoleGrant.role == Role.ORGANISATION_MANAGER.value)
        .order_by(RoleGrant.granted_at, RoleGrant.user_id)
    )
    return list(rows)


async def managers_by_organisation_ids(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[User]]:
    """The managers of each organisation, first granted first (the caller decided who may see them)."""
    rows = await session.execute(
        select(RoleGrant.organisation_id, User)
        .join(User, User.id == RoleGrant.user_id)
        .where(key_in_keys(RoleGrant.organisation_id), RoleGrant.role == Role.ORGANISATION_MANAGER.value)
        .order_by(RoleGrant.granted_at, RoleGrant.user_id),
        keys(organisation_ids),
    )
    grouped: dict[uuid.UUID, list[User]] = {organisation_id: [] for organisation_id in organisation_ids}
    for organisation_id, user in rows:
        if organisation_id is not None:
            grouped[organisation_id].append(user)
    return grouped


async def managed_organisations(session: AsyncSession, user_id: uuid.UUID) -> list[Organisation]:
    """The organisations a person manages, by name."""
    rows = await session.scalars(
        select(Organisation)
        .join(RoleGrant, RoleGrant.organisation_id == Organisation.id)
        .where(RoleGrant.user_id == user_id, RoleGrant.role == Role.ORGANISATION_MANAGER.value)
        .order_by(Organisation.name, Organisation.id)
    )
    return list(rows)


def may_see_managers(viewer: Viewer, *, organisation_id: uuid.UUID, town_id: uuid.UUID) -> bool:
    """Its managers and its town's staff (who verify it and act for it when it has no manager)."""
    return manages(viewer, organisation_id) or can_verify(viewer, town_id)


async def _person_by_email(session: AsyncSession, email: str) -> User:
    text = clean_text(email, field="email").strip()
    if not 3 <= len(text) <= EMAIL_MAX or "@" not in text:
        raise UserError(CommonErrorCode.INVALID_INPUT, "Bitte eine E-Mail-Adresse angeben.", field="email")
    found = (
        await session.scalars(
            select(User).where(func.lower(User.email) == text.lower(), User.deleted_at.is_(None)).limit(2)
        )
    ).all()
    if not found:
        raise NotFound(
            RoleErrorCode.UNKNOWN_USER,
            "Unter dieser E-Mail-Adresse ist kein Konto bekannt. Die Person meldet sich einmal an, dann lässt sie "
            "sich hinzufügen.",
            field="email",
        )
    if len(found) > 1:
        raise UserError(
            VolunteeringErrorCode.EMAIL_AMBIGUOUS,
            "Mehrere Konten haben diese E-Mail-Adresse; bitte wenden Sie sich an die Verwaltung der Stadt.",
            field="email",
        )
    return found[0]


async def add_manager(
    session: AsyncSession, viewer: Viewer, *, organisation_id: uuid.UUID, email: str
) -> tuple[Organisation, User]:
    """A manager adds a person who has an account (or the town's staff, when the organisation has no manager).

    Adding someone who already manages it changes nothing and records nothing.
    """
    viewer.require_person()
    organisation = await visible_organisation(session, viewer, organisation_id, lock=True)
    if not await acts_for(session, viewer, organisation_id=organisation.id, town_id=organisation.town_id):
        raise PermissionDenied("Verantwortliche fügen nur die Verantwortlichen der Organisation hinzu.")
    person = await _person_by_email(session, email)
    statement = insert(RoleGrant).values(
        id=uuid.uuid4(),
        user_id=person.id,
        role=Role.ORGANISATION_MANAGER.value,
        town_id=organisation.town_id,
        organisation_id=organisation.id,
        granted_by_id=viewer.user_id,
    )
    inserted = await session.scalar(
        statement.on_conflict_do_nothing(constraint="uq_role_grants_user_id_role_town_id_organisation_id").returning(
            literal_column("true", Boolean)
        )
    )
    if inserted:
        record(
            session,
            viewer,
            action="organisation.manager_added",
            subject_type="organisation",
            subject_id=organisation.id,
            town_id=organisation.town_id,
            after={"user_id": str(person.id)},
        )
        notify(
            session,
            user_id=person.id,
            kind="volunteering.manager_added",
            subject=f"Sie verwalten jetzt „{organisation.name}“",
            body=(
                f"Sie wurden als verantwortliche Person für „{organisation.name}“ eingetragen: Sie bearbeiten ihre "
                "Angebote und Einsätze und sehen, wer sich angemeldet hat.\n\n"
                "Wenn Sie das nicht möchten, können Sie sich selbst wieder austragen.\n"
            ),
        )
    await session.flush()
    return organisation, person


async def _has_open_offers(session: AsyncSession, organisation_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(Offer.id)
        .where(Offer.organisation_id == organisation_id, Offer.status == OfferStatus.PUBLISHED.value)
        .limit(1)
    )
    return found is not None


async def remove_manager(
    session: AsyncSession, viewer: Viewer, *, organisation_id: uuid.UUID, user_id: uuid.UUID
) -> Organisation:
    """A manager removes a co-manager or themselves; the last one stays while the organisation has open offers."""
    viewer.require_person()
    organisation = await visible_organisation(session, viewer, organisation_id, lock=True)
    if not manages(viewer, organisation.id):
        raise PermissionDenied("Verantwortliche tragen nur die Verantwortlichen der Organisation aus.")
    managers = await manager_ids(session, organisation.id)
    if user_id not in managers:
        raise NotFound(RoleErrorCode.UNKNOWN_USER, "Diese Person verwaltet die Organisation nicht.", field="userId")
    if len(managers) == 1 and await _has_open_offers(session, organisation.id):
        raise UserError(
            VolunteeringErrorCode.LAST_MANAGER,
            "Die letzte verantwortliche Person bleibt, solange die Organisation offene Angebote hat. Schließen Sie "
            "die Angebote oder fügen Sie zuerst jemand anderen hinzu.",
            field="userId",
        )
    await session.execute(
        delete(RoleGrant).where(
            RoleGrant.organisation_id == organisation.id,
            RoleGrant.user_id == user_id,
            RoleGrant.role == Role.ORGANISATION_MANAGER.value,
        )
    )
    record(
        session,
        viewer,
        action="organisation.manager_removed",
        subject_type="organisation",
        subject_id=organisation.id,
        town_id=organisation.town_id,
        before={"user_id": str(user_id)},
    )
    await session.flush()
    return organisation
