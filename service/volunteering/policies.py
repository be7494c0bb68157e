"""Who sees and does what in volunteering. Row visibility is decided here and nowhere else."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from service.auth.models import RoleGrant
from service.auth.viewer import Role, Viewer
from service.volunteering.models import Offer, OfferStatus, Organisation


def managed_organisation_ids(viewer: Viewer) -> set[uuid.UUID]:
    return {
        grant.organisation_id
        for grant in viewer.grants
        if grant.role is Role.ORGANISATION_MANAGER and grant.organisation_id is not None
    }


def manages(viewer: Viewer, organisation_id: uuid.UUID) -> bool:
    return organisation_id in managed_organisation_ids(viewer)


def can_verify(viewer: Viewer, town_id: uuid.UUID) -> bool:
    """Staff (or an admin) of the organisation's town."""
    return viewer.has_role(Role.STAFF, town_id) or viewer.has_role(Role.ADMIN, town_id)


def has_manager(organisation_id: QueryableAttribute[uuid.UUID] | uuid.UUID) -> ColumnElement[bool]:
    """Whether anyone manages the organisation (the last manager may have deleted their account)."""
    return exists().where(
        RoleGrant.organisation_id == organisation_id, RoleGrant.role == Role.ORGANISATION_MANAGER.value
    )


async def acts_for(session: AsyncSession, viewer: Viewer, *, organisation_id: uuid.UUID, town_id: uuid.UUID) -> bool:
    """Its managers act for an organisation; when it has none, the staff (and admins) of its town do, so that its
    offers, shifts and the people signed up for them are not left without anyone responsible."""
    if manages(viewer, organisation_id):
        return True
    if not can_verify(viewer, town_id):
        return False
    return not await session.scalar(select(has_manager(organisation_id)))


def acted_for_by(viewer: Viewer) -> ColumnElement[bool]:
    """`acts_for` as a condition on offers: the organisations the viewer manages, and organisations without a
    manager in the towns the viewer serves as staff or admin."""
    managed = managed_organisation_ids(viewer)
    towns = _served_town_ids(viewer)
    orphaned = ~has_manager(Offer.organisation_id)
    return or_(
        Offer.organisation_id.in_(managed) if managed else false(),
        orphaned if towns is None else and_(Offer.town_id.in_(towns), orphaned) if towns else false(),
    )


def _served_town_ids(viewer: Viewer) -> set[uuid.UUID] | None:
    """Towns whose unverified organisations and drafts the viewer may see; None means every town."""
    return viewer.towns_with(Role.STAFF, Role.ADMIN)


def organisation_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Verified organisations for everyone; unverified ones for their managers and their town's staff."""
    towns = _served_town_ids(viewer)
    if towns is None:
        return true()
    managed = managed_organisation_ids(viewer)
    return or_(
        Organisation.verified_at.is_not(None),
        Organisation.id.in_(managed) if managed else false(),
        Organisation.town_id.in_(towns) if towns else false(),
    )


# What most people see: the condition is this very object, so that statements built with it can be built once.
NOT_DRAFTS = Offer.status != OfferStatus.DRAFT.value


def offer_visible_to_everyone() -> ColumnElement[bool]:
    """Published offers: what every caller sees, anonymous ones included (the search lists nothing else)."""
    return Offer.status == OfferStatus.PUBLISHED.value


def offer_visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """Published and closed offers for everyone; drafts for the organisation's managers and the town's staff.
    `NOT_DRAFTS` itself for everyone else."""
    towns = _served_town_ids(viewer)
    if towns is None:
        return true()
    managed = managed_organisation_ids(viewer)
    if not managed and not towns:
        return NOT_DRAFTS
    return or_(
        Offer.status != OfferStatus.DRAFT.value,
        and_(Offer.organisation_id.in_(managed)) if managed else false(),
        Offer.town_id.in_(towns) if towns else false(),
    )
