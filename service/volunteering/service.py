"""Organisations, offers and shifts: registering and verifying organisations, offers from draft to closed,
shifts with their times and places. Sign-ups live in `service.volunteering.signups`;
changes to shifts in `shift_changes`, attendance in `attendance`, reminders in `reminders`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.models import RoleGrant
from service.auth.viewer import Role, Viewer
from service.events import volunteering as events
from service.kit.errors import CommonErrorCode, NotFound, PermissionDenied, UserError
from service.kit.geo import GeoPoint
from service.kit.text import clean_title
from service.moderation.checks import abusive_language
from service.towns.service import check_location, existing_town, town_strategy_area
from service.volunteering import validation
from service.volunteering.errors import VolunteeringErrorCode
from service.volunteering.models import ACTIVE_STATUSES, Offer, OfferStatus, Organisation, Shift, SignUp
from service.volunteering.policies import acts_for, can_verify, offer_visible_to, organisation_visible_to


async def now(session: AsyncSession) -> datetime:
    """The database's clock: every deadline and "has it started" is judged by one clock."""
    value: datetime = (await session.execute(select(func.now()))).scalar_one()
    return value


# ----------------------------------------------------------------------------- organisations


async def visible_organisation(
    session: AsyncSession, viewer: Viewer, organisation_id: uuid.UUID, *, lock: bool = False
) -> Organisation:
    statement = select(Organisation).where(Organisation.id == organisation_id, organisation_visible_to(viewer))
    found = await session.scalar(statement.with_for_update() if lock else statement)
    if found is None:
        raise NotFound(
            VolunteeringErrorCode.UNKNOWN_ORGANISATION, "Diese Organisation gibt es nicht.", field="organisationId"
        )
    return found


async def register_organisation(
    session: AsyncSession, viewer: Viewer, *, town_id: uuid.UUID, name: str, description: str = ""
) -> Organisation:
    """The person registering becomes the organisation's first manager; it publishes once staff verified it."""
    user_id = viewer.require_person()
    clean_name = validation.name(name)
    clean_description = validation.limited(
        description, field="description", maximum=validation.DESCRIPTION_MAX, label="Die Beschreibung"
    )
    town = await existing_town(session, town_id)
    organisation = Organisation(
        id=uuid.uuid4(), town_id=town.id, name=clean_name, description=clean_description, registered_by_id=user_id
    )
    session.add(organisation)
    await session.flush()
    session.add(
        RoleGrant(
            user_id=user_id,
            role=Role.ORGANISATION_MANAGER.value,
            town_id=town.id,
            organisation_id=organisation.id,
            granted_by_id=user_id,
        )
    )
    record(
        session,
        viewer,
        action="organisation.registered",
        subject_type="organisation",
        subject_id=organisation.id,
        town_id=town.id,
        after={"name": clean_name},
    )
    await session.flush()
    await session.refresh(organisation)
    return organisation


async def verify_organisation(session: AsyncSession, viewer: Viewer, *, organisation_id: uuid.UUID) -> Organisation:
    """Staff of the organisation's town; verifying twice changes nothing."""
    viewer.require_person()
    organisation = await visible_organisation(session, viewer, organisation_id, lock=True)
    if not can_verify(viewer, organisation.town_id):
        raise PermissionDenied("Organisationen bestätigt die Verwaltung ihrer Stadt.")
    if organisation.verified_at is None:
        organisation.verified_at = func.now()
        organisation.verified_by_id = viewer.user_id
        record(
            session,
            viewer,
            action="organisation.verified",
            subject_type="organisation",
            subject_id=organisation.id,
            town_id=organisation.town_id,
        )
        await session.flush()
        await session.refresh(organisation)
    return organisation


# ----------------------------------------------------------------------------- offers


@dataclass(frozen=True)
class OfferFields:
    """What an organisation writes about an offer; None leaves a field as it is (when updating)."""

    title: str | None = None
    description: str | None = None
    strategy_area_id: uuid.UUID | None = None
    address: str | None = None
    location: GeoPoint | None = None
    clear_location: bool = False
    skills: list[str] | None = None
    accessibility_notes: str | None = None
    minimum_age: int | None = None
    clear_minimum_age: bool = False
    contact: str | None = None
    confirmation_hours: int | None = None


async def visible_offer(session: AsyncSession, viewer: Viewer, offer_id: uuid.UUID, *, lock: bool = False) -> Offer:
    statement = select(Offer).where(Offer.id == offer_id, offer_visible_to(viewer))
    found = await session.scalar(statement.with_for_update() if lock else statement)
    if found is None:
        raise NotFound(VolunteeringErrorCode.UNKNOWN_OFFER, "Dieses Angebot gibt es nicht (mehr).", field="offerId")
    return found


EDIT_REFUSAL = "Angebote bearbeiten nur die Verantwortlichen der Organisation."


async def managed_offer(
    session: AsyncSession, viewer: Viewer, offer_id: uuid.UUID, *, lock: bool = False, refusal: str = EDIT_REFUSAL
) -> Offer:
    """The offer, if the viewer manages its organisation; `refusal` says what only managers may do here."""
    viewer.require_person()
    offer = await visible_offer(session, viewer, offer_id, lock=lock)
    if not await acts_for(session, viewer, organisation_id=offer.organisation_id, town_id=offer.town_id):
        raise PermissionDenied(refusal)
    return offer


async def _apply(session: AsyncSession, offer: Offer, fields: OfferFields) -> None:
    town = await existing_town(session, offer.town_id)
    if fields.title is not None:
        offer.title = clean_title(fields.title)
    if fields.description is not None:
        offer.description = validation.limited(
            fields.description, field="description", maximum=validation.DESCRIPTION_MAX, label="Die Beschreibung"
        )
    if fields.strategy_area_id is not None:
        offer.strategy_area_id = (await town_strategy_area(session, town, fields.strategy_area_id)).id
    if fields.address is not None:
        offer.address = validation.limited(
            fields.address, field="address", maximum=validation.ADDRESS_MAX, label="Die Adresse"
        )
    if fields.location is not None:
        check_location(town, fields.location)
        offer.latitude, offer.longitude = fields.location.latitude, fields.location.longitude
    elif fields.clear_location:
        offer.latitude = offer.longitude = None
    if fields.skills is not None:
        offer.skills = validation.skills(fields.skills)
    if fields.accessibility_notes is not None:
        offer.accessibility_notes = validation.limited(
            fields.accessibility_notes,
            field="accessibilityNotes",
            maximum=validation.ACCESSIBILITY_MAX,
            label="Der Hinweis zur Barrierefreiheit",
        )
    if fields.minimum_age is not None:
        offer.minimum_age = validation.minimum_age(fields.minimum_age)
    elif fields.clear_minimum_age:
        offer.minimum_age = None
    if fields.contact is not None:
        offer.contact = validation.limited(
            fields.contact, field="contact", maximum=validation.CONTACT_MAX, label="Der Kontakt"
        )
    if fields.confirmation_hours is not None:
        offer.confirmation_hours = validation.confirmation_hours(fields.confirmation_hours)


async def draft_offer(
    session: AsyncSession,
    viewer: Viewer,
    *,
    organisation_id: uuid.UUID,
    strategy_area_id: uuid.UUID,
    fields: OfferFields,
) -> Offer:
    """A draft in the organisation's town; only its managers see it until it is published."""
    viewer.require_person()
    organisation = await visible_organisation(session, viewer, organisation_id)
    if not await acts_for(session, viewer, organisation_id=organisation.id, town_id=organisation.town_id):
        raise PermissionDenied("Angebote erstellen nur die Verantwortlichen der Organisation.")
    if fields.title is None or fields.description is None:
        raise UserError(CommonErrorCode.INVALID_INPUT, "Titel und Beschreibung sind nötig.", field="title")
    offer = Offer(
        id=uuid.uuid4(),
        organisation_id=organisation.id,
        town_id=organisation.town_id,
        strategy_area_id=strategy_area_id,
        status=OfferStatus.DRAFT.value,
        address="",
        skills=[],
        accessibility_notes="",
        contact="",
    )
    await _apply(session, offer, replace(fields, strategy_area_id=strategy_area_id))
    session.add(offer)
    await session.flush()
    await session.refresh(offer)
    return offer


async def update_offer(session: AsyncSession, viewer: Viewer, *, offer_id: uuid.UUID, fields: OfferFields) -> Offer:
    offer = await managed_offer(session, viewer, offer_id, lock=True)
    if offer.status == OfferStatus.CLOSED.value:
        raise UserError(
            VolunteeringErrorCode.OFFER_NOT_EDITABLE, "Geschlossene Angebote können nicht bearbeitet werden."
        )
    await _apply(session, offer, fields)
    if offer.status == OfferStatus.PUBLISHED.value:
        _refuse_abuse(offer)
    offer.updated_at = func.now()
    await session.flush()
    await session.refresh(offer)
    return offer


def _refuse_abuse(offer: Offer) -> None:
    """Offers are published without waiting for a moderator; severe abuse is refused at once."""
    text = "\n".join([offer.title, offer.description, offer.accessibility_notes, *offer.skills])
    if abusive_language(text).severe:
        raise UserError(
            VolunteeringErrorCode.OFFER_TEXT_REFUSED,
            "Der Text enthält Formulierungen, die hier nicht erlaubt sind.",
            field="title",
        )


async def publish_offer(session: AsyncSession, viewer: Viewer, *, offer_id: uuid.UUID) -> Offer:
    """Only offers of verified organisations are published; publishing twice changes nothing."""
    offer = await managed_offer(session, viewer, offer_id, lock=True)
    if offer.status == OfferStatus.PUBLISHED.value:
        return offer
    if offer.status != OfferStatus.DRAFT.value:
        raise UserError(
            VolunteeringErrorCode.OFFER_NOT_EDITABLE, "Geschlossene Angebote können nicht wieder veröffentlicht werden."
        )
    organisation = await session.get(Organisation, offer.organisation_id)
    if organisation is None or organisation.verified_at is None:
        raise UserError(
            VolunteeringErrorCode.ORGANISATION_NOT_VERIFIED,
            "Angebote veröffentlichen nur Organisationen, die die Stadt bestätigt hat.",
        )
    _refuse_abuse(offer)
    offer.status = OfferStatus.PUBLISHED.value
    offer.published_at = func.now()
    await session.flush()
    await session.refresh(offer)
    await events.offer_published(session, offer)
    return offer


async def close_offer(session: AsyncSession, viewer: Viewer, *, offer_id: uuid.UUID) -> Offer:
    """No new sign-ups; people already signed up keep their places (shifts can be cancelled one by one)."""
    offer = await managed_offer(session, viewer, offer_id, lock=True)
    if offer.status != OfferStatus.CLOSED.value:
        offer.status = OfferStatus.CLOSED.value
        offer.closed_at = func.now()
        await session.flush()
        await session.refresh(offer)
        await events.offer_closed(session, offer)
    return offer


# ----------------------------------------------------------------------------- shifts


async def visible_shift(session: AsyncSession, viewer: Viewer, shift_id: uuid.UUID, *, lock: bool = False) -> Shift:
    """The shift of a visible offer; `lock` takes the shift row lock that serialises its sign-ups."""
    statement = (
        select(Shift)
        .join(Offer, Offer.id == Shift.offer_id)
        .where(Shift.id == shift_id, offer_visible_to(viewer))
        .execution_options(populate_existing=True)
    )
    found = await session.scalar(statement.with_for_update(of=Shift) if lock else statement)
    if found is None:
        raise NotFound(VolunteeringErrorCode.UNKNOWN_SHIFT, "Diesen Einsatz gibt es nicht (mehr).", field="shiftId")
    return found


async def managed_shift(
    session: AsyncSession, viewer: Viewer, shift_id: uuid.UUID, *, refusal: str = EDIT_REFUSAL
) -> tuple[Shift, Offer]:
    shift = await visible_shift(session, viewer, shift_id, lock=True)
    offer = await managed_offer(session, viewer, shift.offer_id, refusal=refusal)
    return shift, offer


async def add_shift(
    session: AsyncSession,
    viewer: Viewer,
    *,
    offer_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
) -> Shift:
    offer = await managed_offer(session, viewer, offer_id)
    if offer.status == OfferStatus.CLOSED.value:
        raise UserError(
            VolunteeringErrorCode.OFFER_NOT_EDITABLE, "Geschlossene Angebote bekommen keine neuen Einsätze."
        )
    validation.shift_times(starts_at, ends_at, now=await now(session))
    shift = Shift(
        id=uuid.uuid4(),
        offer_id=offer.id,
        town_id=offer.town_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=validation.capacity(capacity),
        places_taken=0,
        last_position=0,
    )
    session.add(shift)
    await session.flush()
    await session.refresh(shift)
    await events.shift_changed(session, shift, offer)
    return shift


async def active_sign_ups(session: AsyncSession, shift_id: uuid.UUID) -> list[SignUp]:
    rows = await session.scalars(
        select(SignUp)
        .where(SignUp.shift_id == shift_id, SignUp.status.in_([status.value for status in ACTIVE_STATUSES]))
        .order_by(SignUp.position)
    )
    return list(rows)
