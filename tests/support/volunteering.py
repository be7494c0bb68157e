"""Volunteering for tests: an organisation registered and verified through the API, offers and shifts made by its
manager, and direct database changes for what only time does (a shift in the past, a deadline passed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.ideas import row_id, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

REGISTER = """
mutation Register($input: RegisterOrganisationInput!) {
  registerOrganisation(input: $input) {
    __typename
    ... on OrganisationRegistered { organisation { id name isVerified } }
    ... on UserError { code field message }
  }
}
"""
VERIFY = """
mutation Verify($id: ID!) {
  verifyOrganisation(organisationId: $id) {
    __typename
    ... on OrganisationVerified { organisation { id isVerified } }
    ... on UserError { code field message }
  }
}
"""
DRAFT = """
mutation Draft($input: DraftOfferInput!) {
  draftOffer(input: $input) {
    __typename
    ... on OfferDrafted { offer { id title status skills minimumAge confirmationHours } }
    ... on UserError { code field message }
  }
}
"""
PUBLISH = """
mutation Publish($id: ID!) {
  publishOffer(offerId: $id) {
    __typename
    ... on OfferPublished { offer { id status } }
    ... on UserError { code field message }
  }
}
"""
ADD_SHIFT = """
mutation AddShift($input: AddShiftInput!) {
  addShift(input: $input) {
    __typename
    ... on ShiftAdded { shift { id capacity freePlaces } }
    ... on UserError { code field message }
  }
}
"""
SIGN_UP = """
mutation SignUp($id: ID!) {
  signUpForShift(shiftId: $id) {
    __typename
    ... on SignedUpForShift { signUp { id status waitlistPosition } }
    ... on UserError { code field message }
  }
}
"""
CANCEL_SIGN_UP = """
mutation Cancel($id: ID!) {
  cancelSignUp(signUpId: $id) {
    __typename
    ... on SignUpCancelled { signUp { id status } }
    ... on UserError { code field message }
  }
}
"""
CONFIRM_PLACE = """
mutation ConfirmPlace($id: ID!) {
  confirmOfferedPlace(signUpId: $id) {
    __typename
    ... on OfferedPlaceConfirmed { signUp { id status offerExpiresAt } }
    ... on UserError { code field message }
  }
}
"""


def in_days(days: float, hour: int = 10) -> datetime:
    start = datetime.now(UTC) + timedelta(days=days)
    return start.replace(hour=hour, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Organisation:
    id: str
    manager: Person
    town_slug: str


@dataclass(frozen=True)
class Setup:
    organisation: Organisation
    offer_id: str
    shift_id: str


async def registered_organisation(
    graphql: GraphQLClient,
    runtime: Runtime,
    provider: OidcProvider,
    *,
    town: str = "soest",
    manager_subject: str = "manni",
    verified: bool = True,
) -> Organisation:
    manager = await person(runtime, provider, manager_subject)
    town_id = (await town_ref(graphql, town)).id
    registered = await graphql(
        REGISTER, {"input": {"townId": town_id, "name": f"Tafel {town.title()} e. V."}}, headers=manager.headers
    )
    assert registered["data"]["registerOrganisation"]["__typename"] == "OrganisationRegistered", registered
    organisation_id: str = registered["data"]["registerOrganisation"]["organisation"]["id"]
    if verified:
        staff = await person(runtime, provider, f"staff-{town}", roles_held=((Role.STAFF, town),))
        result = await graphql(VERIFY, {"id": organisation_id}, headers=staff.headers)
        assert result["data"]["verifyOrganisation"]["__typename"] == "OrganisationVerified", result
    return Organisation(id=organisation_id, manager=manager, town_slug=town)


def offer_fields(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Lebensmittel ausgeben",
        "description": "Wir geben montags Lebensmittel an Bedürftige aus und suchen helfende Hände.",
        "address": "Marktstraße 1, 59494 Soest",
        "skills": ["Organisation", "Freundlichkeit"],
        "contact": "helfen@tafel-soest.example",
        **fields,
    }


async def drafted_offer(graphql: GraphQLClient, organisation: Organisation, **fields: Any) -> str:
    town = await town_ref(graphql, organisation.town_slug)
    drafted = await graphql(
        DRAFT,
        {
            "input": {
                "organisationId": organisation.id,
                "strategyAreaId": town.area_ids[0],
                "fields": offer_fields(**fields),
            }
        },
        headers=organisation.manager.headers,
    )
    assert drafted["data"]["draftOffer"]["__typename"] == "OfferDrafted", drafted
    offer_id: str = drafted["data"]["draftOffer"]["offer"]["id"]
    return offer_id


async def published_offer(graphql: GraphQLClient, organisation: Organisation, **fields: Any) -> str:
    offer_id = await drafted_offer(graphql, organisation, **fields)
    published = await graphql(PUBLISH, {"id": offer_id}, headers=organisation.manager.headers)
    assert published["data"]["publishOffer"]["__typename"] == "OfferPublished", published
    return offer_id


async def added_shift(
    graphql: GraphQLClient,
    organisation: Organisation,
    offer_id: str,
    *,
    capacity: int,
    starts_at: datetime | None = None,
    hours: float = 3,
) -> str:
    start = starts_at or in_days(7)
    added = await graphql(
        ADD_SHIFT,
        {
            "input": {
                "offerId": offer_id,
                "startsAt": start.isoformat(),
                "endsAt": (start + timedelta(hours=hours)).isoformat(),
                "capacity": capacity,
            }
        },
        headers=organisation.manager.headers,
    )
    assert added["data"]["addShift"]["__typename"] == "ShiftAdded", added
    shift_id: str = added["data"]["addShift"]["shift"]["id"]
    return shift_id


async def open_shift(
    graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider, *, capacity: int, town: str = "soest"
) -> Setup:
    """A verified organisation with a published offer and one shift a week from now."""
    organisation = await registered_organisation(graphql, runtime, provider, town=town)
    offer_id = await published_offer(graphql, organisation)
    shift_id = await added_shift(graphql, organisation, offer_id, capacity=capacity)
    return Setup(organisation=organisation, offer_id=offer_id, shift_id=shift_id)


async def sign_up(graphql: GraphQLClient, volunteer: Person, shift_id: str) -> dict[str, Any]:
    result: dict[str, Any] = (await graphql(SIGN_UP, {"id": shift_id}, headers=volunteer.headers))["data"][
        "signUpForShift"
    ]
    return result


async def move_shift_directly(runtime: Runtime, shift_id: str, *, starts_at: datetime, ends_at: datetime) -> None:
    """Put a shift at other times in the database (the API refuses the past)."""
    async with runtime.engine.begin() as connection:
        changed = await connection.execute(
            text("UPDATE volunteer_shifts SET starts_at = :starts, ends_at = :ends WHERE id = :id"),
            {"starts": starts_at, "ends": ends_at, "id": row_id(shift_id)},
        )
    assert changed.rowcount == 1


async def pass_deadline_directly(runtime: Runtime, sign_up_id: str) -> None:
    """As if the time to confirm an offered place had run out."""
    async with runtime.engine.begin() as connection:
        changed = await connection.execute(
            text(
                "UPDATE volunteer_sign_ups SET offer_expires_at = now() - interval '1 minute' "
                "WHERE id = :id AND status = 'offered'"
            ),
            {"id": row_id(sign_up_id)},
        )
    assert changed.rowcount == 1


async def sign_up_rows(runtime: Runtime, shift_id: str) -> list[dict[str, Any]]:
    """Every sign-up of a shift in arrival order, as plain rows."""
    async with runtime.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT id, user_id, status, position, queued_at FROM volunteer_sign_ups "
                "WHERE shift_id = :id ORDER BY position"
            ),
            {"id": row_id(shift_id)},
        )
        return [dict(row._mapping) for row in rows]


async def notifications_of(runtime: Runtime, user_id: uuid.UUID, kind: str) -> list[str]:
    async with runtime.engine.connect() as connection:
        rows = await connection.scalars(
            text("SELECT subject FROM notifications WHERE user_id = :user AND kind = :kind ORDER BY created_at"),
            {"user": user_id, "kind": kind},
        )
        return list(rows)
