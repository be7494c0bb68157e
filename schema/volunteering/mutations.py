from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from schema.ideas.mutations import GeoPointInput
from schema.ids import OfferId, OrganisationId, ShiftId, SignUpId, StrategyAreaId, TownId, UserId
from schema.mutation import Call, mutation, service_mutation
from schema.users.types import UserType
from schema.volunteering.types import OfferType, OrganisationType, ShiftType, SignUpType
from service.kit.geo import GeoPoint
from service.volunteering import attendance, managers, service, shift_changes, signups
from service.volunteering.service import OfferFields


@strawberry.input
class RegisterOrganisationInput:
    town_id: TownId
    name: str = strawberry.field(description="3 to 140 characters.")
    description: str = strawberry.field(default="", description="At most 5 000 characters.")


@strawberry.input(
    description="Offer fields; in updates only the fields given change, and `location` or `minimumAge` null removes it."
)
class OfferFieldsInput:
    title: str | None = strawberry.field(default=None, description="5 to 140 characters; required in drafts.")
    description: str | None = strawberry.field(default=None, description="At most 5 000; required in drafts.")
    address: str | None = None
    location: GeoPointInput | None = strawberry.UNSET
    skills: list[str] | None = strawberry.field(default=None, description="At most 20, each 1 to 60 characters.")
    accessibility_notes: str | None = None
    minimum_age: int | None = strawberry.field(default=strawberry.UNSET, description="Shown as information only.")
    contact: str | None = None
    confirmation_hours: int | None = strawberry.field(
        default=None, description="1 to 168 hours to accept a freed place (default 24)."
    )


@strawberry.input
class DraftOfferInput:
    organisation_id: OrganisationId
    strategy_area_id: StrategyAreaId
    fields: OfferFieldsInput


@strawberry.input
class UpdateOfferInput:
    offer_id: OfferId
    strategy_area_id: StrategyAreaId | None = None
    fields: OfferFieldsInput


@strawberry.input
class AddShiftInput:
    offer_id: OfferId
    starts_at: datetime
    ends_at: datetime
    capacity: int = strawberry.field(description="1 to 10 000 places.")


@strawberry.input(description="Changed times are mailed to everyone signed up.")
class UpdateShiftInput:
    shift_id: ShiftId
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None


@strawberry.input
class ConfirmAttendanceInput:
    sign_up_id: SignUpId
    attended: bool
    hours: float | None = strawberry.field(
        default=None,
        description="Hours worked, stored in whole minutes; at most the shift's length plus one hour. "
        "Defaults to the shift's length.",
    )
    minutes: int | None = strawberry.field(default=None, description="Instead of `hours`: whole minutes worked.")


@strawberry.type
class OrganisationRegistered:
    organisation: OrganisationType


@strawberry.type
class OrganisationVerified:
    organisation: OrganisationType


@strawberry.type(description="The offer is stored as a draft, visible to the organisation's managers.")
class OfferDrafted:
    offer: OfferType


@strawberry.type
class OfferUpdated:
    offer: OfferType


@strawberry.type
class OfferPublished:
    offer: OfferType


@strawberry.type
class OfferClosed:
    offer: OfferType


@strawberry.type
class ShiftAdded:
    shift: ShiftType


@strawberry.type
class ShiftUpdated:
    shift: ShiftType


@strawberry.type
class ShiftCancelled:
    shift: ShiftType


@strawberry.type(description="CONFIRMED when a place was free, else WAITLISTED with a position.")
class SignedUpForShift:
    sign_up: SignUpType


@strawberry.type
class SignUpCancelled:
    sign_up: SignUpType


@strawberry.type
class OfferedPlaceConfirmed:
    sign_up: SignUpType


@strawberry.type
class AttendanceConfirmed:
    sign_up: SignUpType


@strawberry.type
class ContactSharingSet:
    sign_up: SignUpType


@strawberry.type(description="The person manages the organisation (adding them again changes nothing).")
class OrganisationManagerAdded:
    organisation: OrganisationType
    manager: UserType


@strawberry.type(description="The person no longer manages the organisation.")
class OrganisationManagerRemoved:
    organisation: OrganisationType


def _fields(value: OfferFieldsInput, strategy_area_id: uuid.UUID | None = None) -> OfferFields:
    """Left out (UNSET) leaves a field as it is; `null` removes a location or minimum age."""
    location, minimum_age = value.location, value.minimum_age
    rest = {name: item for name, item in vars(value).items() if name not in {"location", "minimum_age"}}
    return OfferFields(
        **rest,
        strategy_area_id=strategy_area_id,
        location=GeoPoint(location.latitude, location.longitude) if location else None,
        clear_location=location is None,
        minimum_age=None if minimum_age is strawberry.UNSET else minimum_age,
        clear_minimum_age=minimum_age is None,
    )


@strawberry.type
class VolunteeringMutations:
    register_organisation = service_mutation(
        service.register_organisation,
        OrganisationRegistered,
        "Register an organisation in a town; the caller becomes its manager.",
        rate_limit="organisation.register",
        input=RegisterOrganisationInput,
    )

    @mutation(
        "Add a person who has an account, named by their e-mail address, as a manager of the organisation (its "
        "managers; the town's staff when it has none). They are told by e-mail.",
        rate_limit="organisation.add_manager",
    )
    async def add_organisation_manager(
        call: Call, organisation_id: OrganisationId, email: str
    ) -> OrganisationManagerAdded:
        row, person = await managers.add_manager(
            call.session, call.viewer, organisation_id=organisation_id, email=email
        )
        return OrganisationManagerAdded(organisation=OrganisationType.from_row(row), manager=UserType.from_row(person))

    remove_organisation_manager = service_mutation(
        managers.remove_manager,
        OrganisationManagerRemoved,
        "Remove a manager, oneself included (its managers); never the last one while offers are open.",
        name="remove_organisation_manager",
        organisation_id=OrganisationId,
        user_id=UserId,
    )
    verify_organisation = service_mutation(
        service.verify_organisation,
        OrganisationVerified,
        "Verify an organisation (staff of its town).",
        organisation_id=OrganisationId,
    )

    @mutation("Draft an offer (the organisation's managers).")
    async def draft_offer(call: Call, input: DraftOfferInput) -> OfferDrafted:
        fields = vars(input) | {"fields": _fields(input.fields)}
        return OfferDrafted(offer=OfferType.from_row(await service.draft_offer(call.session, call.viewer, **fields)))

    @mutation("Edit an offer (the organisation's managers).")
    async def update_offer(call: Call, input: UpdateOfferInput) -> OfferUpdated:
        fields = _fields(input.fields, input.strategy_area_id)
        row = await service.update_offer(call.session, call.viewer, offer_id=input.offer_id, fields=fields)
        return OfferUpdated(offer=OfferType.from_row(row))

    publish_offer = service_mutation(
        service.publish_offer, OfferPublished, "Publish a draft (verified organisations only).", offer_id=OfferId
    )
    close_offer = service_mutation(
        service.close_offer, OfferClosed, "Close an offer to new sign-ups.", offer_id=OfferId
    )
    add_shift = service_mutation(service.add_shift, ShiftAdded, "Add a shift to an offer.", input=AddShiftInput)
    update_shift = service_mutation(
        shift_changes.update_shift,
        ShiftUpdated,
        "Change a shift's times or places; people signed up are told of new times.",
        input=UpdateShiftInput,
    )
    cancel_shift = service_mutation(
        shift_changes.cancel_shift, ShiftCancelled, "Cancel a shift; everyone signed up is told.", shift_id=ShiftId
    )

    @mutation("Sign up for a shift: confirmed while places are free, else waitlisted.", rate_limit="shift.sign_up")
    async def sign_up_for_shift(
        call: Call,
        shift_id: ShiftId,
        share_contact: Annotated[
            bool,
            strawberry.argument(
                description="Let the organisation's managers see one's e-mail address on the roster to reach one."
            ),
        ] = False,
    ) -> SignedUpForShift:
        done = await signups.sign_up_for_shift(
            call.session, call.viewer, shift_id=shift_id, share_contact=share_contact
        )
        return SignedUpForShift(sign_up=SignUpType.from_row(done.sign_up, waitlist_position=done.waitlist_position))

    cancel_sign_up = service_mutation(
        signups.cancel_sign_up,
        SignUpCancelled,
        "Cancel one's own sign-up before the shift starts.",
        sign_up_id=SignUpId,
    )
    set_contact_sharing = service_mutation(
        signups.set_contact_sharing,
        ContactSharingSet,
        "Give or withdraw consent that the organisation sees one's e-mail address for this sign-up.",
        sign_up_id=SignUpId,
        share=bool,
    )
    confirm_offered_place = service_mutation(
        signups.confirm_offered_place,
        OfferedPlaceConfirmed,
        "Accept a place offered from the waitlist before its deadline.",
        sign_up_id=SignUpId,
    )
    confirm_attendance = service_mutation(
        attendance.confirm_attendance,
        AttendanceConfirmed,
        "Record after a shift whether a person came and for how many hours (the managers).",
        input=ConfirmAttendanceInput,
    )
