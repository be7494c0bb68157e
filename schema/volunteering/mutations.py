from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.ideas.mutations import GeoPointInput
from schema.permissions import Authenticated
from schema.ratelimit import RateLimited
from schema.users.types import UserType
from schema.volunteering.types import OfferType, OrganisationType, ShiftType, SignUpType
from service.towns.service import GeoPoint
from service.volunteering import managers, service, signups
from service.volunteering.service import OfferFields


@strawberry.input
class RegisterOrganisationInput:
    town_id: strawberry.ID
    name: str = strawberry.field(description="3 to 140 characters.")
    description: str = strawberry.field(default="", description="At most 5 000 characters.")


@strawberry.input(description="Offer fields; in updates only the fields given change.")
class OfferFieldsInput:
    title: str | None = strawberry.field(default=None, description="5 to 140 characters; required in drafts.")
    description: str | None = strawberry.field(default=None, description="At most 5 000; required in drafts.")
    address: str | None = None
    location: GeoPointInput | None = None
    remove_location: bool = False
    skills: list[str] | None = strawberry.field(default=None, description="At most 20, each 1 to 60 characters.")
    accessibility_notes: str | None = None
    minimum_age: int | None = strawberry.field(default=None, description="Shown as information only.")
    remove_minimum_age: bool = False
    contact: str | None = None
    confirmation_hours: int | None = strawberry.field(
        default=None, description="1 to 168 hours to accept a freed place (default 24)."
    )


@strawberry.input
class DraftOfferInput:
    organisation_id: strawberry.ID
    strategy_area_id: strawberry.ID
    fields: OfferFieldsInput


@strawberry.input
class UpdateOfferInput:
    offer_id: strawberry.ID
    strategy_area_id: strawberry.ID | None = None
    fields: OfferFieldsInput


@strawberry.input
class AddShiftInput:
    offer_id: strawberry.ID
    starts_at: datetime
    ends_at: datetime
    capacity: int = strawberry.field(description="1 to 10 000 places.")


@strawberry.input(description="Changed times are mailed to everyone signed up.")
class UpdateShiftInput:
    shift_id: strawberry.ID
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None


@strawberry.input
class ConfirmAttendanceInput:
    sign_up_id: strawberry.ID
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


_Errors = InvalidInput | NotFoundError
RegisterOrganisationResult = Annotated[OrganisationRegistered | _Errors, strawberry.union("RegisterOrganisationResult")]
VerifyOrganisationResult = Annotated[OrganisationVerified | _Errors, strawberry.union("VerifyOrganisationResult")]
DraftOfferResult = Annotated[OfferDrafted | _Errors, strawberry.union("DraftOfferResult")]
UpdateOfferResult = Annotated[OfferUpdated | _Errors, strawberry.union("UpdateOfferResult")]
PublishOfferResult = Annotated[OfferPublished | _Errors, strawberry.union("PublishOfferResult")]
CloseOfferResult = Annotated[OfferClosed | _Errors, strawberry.union("CloseOfferResult")]
AddShiftResult = Annotated[ShiftAdded | _Errors, strawberry.union("AddShiftResult")]
UpdateShiftResult = Annotated[ShiftUpdated | _Errors, strawberry.union("UpdateShiftResult")]
CancelShiftResult = Annotated[ShiftCancelled | _Errors, strawberry.union("CancelShiftResult")]
SignUpForShiftResult = Annotated[SignedUpForShift | _Errors, strawberry.union("SignUpForShiftResult")]
CancelSignUpResult = Annotated[SignUpCancelled | _Errors, strawberry.union("CancelSignUpResult")]
ConfirmOfferedPlaceResult = Annotated[OfferedPlaceConfirmed | _Errors, strawberry.union("ConfirmOfferedPlaceResult")]
ConfirmAttendanceResult = Annotated[AttendanceConfirmed | _Errors, strawberry.union("ConfirmAttendanceResult")]
SetContactSharingResult = Annotated[ContactSharingSet | _Errors, strawberry.union("SetContactSharingResult")]
AddOrganisationManagerResult = Annotated[
    OrganisationManagerAdded | _Errors, strawberry.union("AddOrganisationManagerResult")
]
RemoveOrganisationManagerResult = Annotated[
    OrganisationManagerRemoved | _Errors, strawberry.union("RemoveOrganisationManagerResult")
]


def _fields(value: OfferFieldsInput) -> OfferFields:
    location = GeoPoint(value.location.latitude, value.location.longitude) if value.location else None
    return OfferFields(
        title=value.title,
        description=value.description,
        address=value.address,
        location=location,
        clear_location=value.remove_location,
        skills=value.skills,
        accessibility_notes=value.accessibility_notes,
        minimum_age=value.minimum_age,
        clear_minimum_age=value.remove_minimum_age,
        contact=value.contact,
        confirmation_hours=value.confirmation_hours,
    )


@strawberry.type
class VolunteeringMutations:
    @strawberry.mutation(
        description="Register an organisation in a town; the caller becomes its manager.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("organisation.register")],
    )
    async def register_organisation(self, info: Info, input: RegisterOrganisationInput) -> RegisterOrganisationResult:
        async def action(session: AsyncSession) -> OrganisationRegistered:
            row = await service.register_organisation(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId"),
                name=input.name,
                description=input.description,
            )
            return OrganisationRegistered(organisation=OrganisationType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Add a person who has an account, named by their e-mail address, as a manager of the "
        "organisation (its managers; the town's staff when it has none). They are told by e-mail.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("organisation.add_manager")],
    )
    async def add_organisation_manager(
        self, info: Info, organisation_id: strawberry.ID, email: str
    ) -> AddOrganisationManagerResult:
        async def action(session: AsyncSession) -> OrganisationManagerAdded:
            row, person = await managers.add_manager(
                session,
                info.context.viewer,
                organisation_id=decode_id(organisation_id, "Organisation", field="organisationId"),
                email=email,
            )
            return OrganisationManagerAdded(
                organisation=OrganisationType.from_row(row), manager=UserType.from_row(person)
            )

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Remove a manager, oneself included (its managers); never the last one while offers are open.",
        permission_classes=[Authenticated],
    )
    async def remove_organisation_manager(
        self, info: Info, organisation_id: strawberry.ID, user_id: strawberry.ID
    ) -> RemoveOrganisationManagerResult:
        async def action(session: AsyncSession) -> OrganisationManagerRemoved:
            row = await managers.remove_manager(
                session,
                info.context.viewer,
                organisation_id=decode_id(organisation_id, "Organisation", field="organisationId"),
                user_id=decode_id(user_id, "User", field="userId"),
            )
            return OrganisationManagerRemoved(organisation=OrganisationType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Verify an organisation (staff of its town).", permission_classes=[Authenticated])
    async def verify_organisation(self, info: Info, organisation_id: strawberry.ID) -> VerifyOrganisationResult:
        async def action(session: AsyncSession) -> OrganisationVerified:
            row = await service.verify_organisation(
                session,
                info.context.viewer,
                organisation_id=decode_id(organisation_id, "Organisation", field="organisationId"),
            )
            return OrganisationVerified(organisation=OrganisationType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Draft an offer (the organisation's managers).", permission_classes=[Authenticated]
    )
    async def draft_offer(self, info: Info, input: DraftOfferInput) -> DraftOfferResult:
        async def action(session: AsyncSession) -> OfferDrafted:
            row = await service.draft_offer(
                session,
                info.context.viewer,
                organisation_id=decode_id(input.organisation_id, "Organisation", field="organisationId"),
                strategy_area_id=decode_id(input.strategy_area_id, "StrategyArea", field="strategyAreaId"),
                fields=_fields(input.fields),
            )
            return OfferDrafted(offer=OfferType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Edit an offer (the organisation's managers).", permission_classes=[Authenticated])
    async def update_offer(self, info: Info, input: UpdateOfferInput) -> UpdateOfferResult:
        async def action(session: AsyncSession) -> OfferUpdated:
            area = input.strategy_area_id
            fields = _fields(input.fields)
            if area is not None:
                fields = replace(fields, strategy_area_id=decode_id(area, "StrategyArea", field="strategyAreaId"))
            row = await service.update_offer(
                session,
                info.context.viewer,
                offer_id=decode_id(input.offer_id, "VolunteerOffer", field="offerId"),
                fields=fields,
            )
            return OfferUpdated(offer=OfferType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Publish a draft (verified organisations only).", permission_classes=[Authenticated]
    )
    async def publish_offer(self, info: Info, offer_id: strawberry.ID) -> PublishOfferResult:
        async def action(session: AsyncSession) -> OfferPublished:
            offer_uuid = decode_id(offer_id, "VolunteerOffer", field="offerId")
            row = await service.publish_offer(session, info.context.viewer, offer_id=offer_uuid)
            return OfferPublished(offer=OfferType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Close an offer to new sign-ups.", permission_classes=[Authenticated])
    async def close_offer(self, info: Info, offer_id: strawberry.ID) -> CloseOfferResult:
        async def action(session: AsyncSession) -> OfferClosed:
            offer_uuid = decode_id(offer_id, "VolunteerOffer", field="offerId")
            row = await service.close_offer(session, info.context.viewer, offer_id=offer_uuid)
            return OfferClosed(offer=OfferType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Add a shift to an offer.", permission_classes=[Authenticated])
    async def add_shift(self, info: Info, input: AddShiftInput) -> AddShiftResult:
        async def action(session: AsyncSession) -> ShiftAdded:
            row = await service.add_shift(
                session,
                info.context.viewer,
                offer_id=decode_id(input.offer_id, "VolunteerOffer", field="offerId"),
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                capacity=input.capacity,
            )
            return ShiftAdded(shift=ShiftType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Change a shift's times or places; people signed up are told of new times.",
        permission_classes=[Authenticated],
    )
    async def update_shift(self, info: Info, input: UpdateShiftInput) -> UpdateShiftResult:
        async def action(session: AsyncSession) -> ShiftUpdated:
            row = await signups.update_shift(
                session,
                info.context.viewer,
                shift_id=decode_id(input.shift_id, "Shift", field="shiftId"),
                starts_at=input.starts_at,
                ends_at=input.ends_at,
                capacity=input.capacity,
            )
            return ShiftUpdated(shift=ShiftType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Cancel a shift; everyone signed up is told.", permission_classes=[Authenticated])
    async def cancel_shift(self, info: Info, shift_id: strawberry.ID) -> CancelShiftResult:
        async def action(session: AsyncSession) -> ShiftCancelled:
            shift_uuid = decode_id(shift_id, "Shift", field="shiftId")
            row = await signups.cancel_shift(session, info.context.viewer, shift_id=shift_uuid)
            return ShiftCancelled(shift=ShiftType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Sign up for a shift: confirmed while places are free, else waitlisted.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("shift.sign_up")],
    )
    async def sign_up_for_shift(
        self,
        info: Info,
        shift_id: strawberry.ID,
        share_contact: Annotated[
            bool,
            strawberry.argument(
                description="Let the organisation's managers see one's e-mail address on the roster to reach one."
            ),
        ] = False,
    ) -> SignUpForShiftResult:
        async def action(session: AsyncSession) -> SignedUpForShift:
            shift_uuid = decode_id(shift_id, "Shift", field="shiftId")
            done = await signups.sign_up_for_shift(
                session, info.context.viewer, shift_id=shift_uuid, share_contact=share_contact
            )
            return SignedUpForShift(sign_up=SignUpType.from_row(done.sign_up, waitlist_position=done.waitlist_position))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Cancel one's own sign-up before the shift starts.", permission_classes=[Authenticated]
    )
    async def cancel_sign_up(self, info: Info, sign_up_id: strawberry.ID) -> CancelSignUpResult:
        async def action(session: AsyncSession) -> SignUpCancelled:
            sign_up_uuid = decode_id(sign_up_id, "SignUp", field="signUpId")
            row = await signups.cancel_sign_up(session, info.context.viewer, sign_up_id=sign_up_uuid)
            return SignUpCancelled(sign_up=SignUpType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Give or withdraw consent that the organisation sees one's e-mail address for this sign-up.",
        permission_classes=[Authenticated],
    )
    async def set_contact_sharing(self, info: Info, sign_up_id: strawberry.ID, share: bool) -> SetContactSharingResult:
        async def action(session: AsyncSession) -> ContactSharingSet:
            sign_up_uuid = decode_id(sign_up_id, "SignUp", field="signUpId")
            row = await signups.set_contact_sharing(session, info.context.viewer, sign_up_id=sign_up_uuid, share=share)
            return ContactSharingSet(sign_up=SignUpType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Accept a place offered from the waitlist before its deadline.", permission_classes=[Authenticated]
    )
    async def confirm_offered_place(self, info: Info, sign_up_id: strawberry.ID) -> ConfirmOfferedPlaceResult:
        async def action(session: AsyncSession) -> OfferedPlaceConfirmed:
            sign_up_uuid = decode_id(sign_up_id, "SignUp", field="signUpId")
            row = await signups.confirm_offered_place(session, info.context.viewer, sign_up_id=sign_up_uuid)
            return OfferedPlaceConfirmed(sign_up=SignUpType.from_row(row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Record after a shift whether a person came and for how many hours (the managers).",
        permission_classes=[Authenticated],
    )
    async def confirm_attendance(self, info: Info, input: ConfirmAttendanceInput) -> ConfirmAttendanceResult:
        async def action(session: AsyncSession) -> AttendanceConfirmed:
            row = await signups.confirm_attendance(
                session,
                info.context.viewer,
                sign_up_id=decode_id(input.sign_up_id, "SignUp", field="signUpId"),
                attended=input.attended,
                hours=input.hours,
                minutes=input.minutes,
            )
            return AttendanceConfirmed(sign_up=SignUpType.from_row(row))

        return await run_mutation(info, action)
