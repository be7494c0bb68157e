"""Who may do what: the organisation's managers edit its offers and confirm hours, people cancel only their own
sign-ups, the town's staff verify organisations. Refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.ideas import codes, count_rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import (
    CANCEL_SIGN_UP,
    PUBLISH,
    VERIFY,
    drafted_offer,
    move_shift_directly,
    open_shift,
    registered_organisation,
    sign_up,
)

UPDATE_OFFER = """
mutation Update($input: UpdateOfferInput!) {
  updateOffer(input: $input) {
    __typename
    ... on OfferUpdated { offer { title } }
    ... on UserError { code field message }
  }
}
"""
CONFIRM_ATTENDANCE = """
mutation Attendance($input: ConfirmAttendanceInput!) {
  confirmAttendance(input: $input) {
    __typename
    ... on AttendanceConfirmed { signUp { status hours } }
    ... on UserError { code field message }
  }
}
"""
ROSTER = (
    "query Roster($id: ID!) { node(id: $id) { ... on Shift { roster { signUp { status } person { displayName } } } } }"
)
ENGAGEMENTS = "{ myEngagements { signUps { status hours } yearlyTotals { year hours shifts } } }"


async def _caller(kind: str, runtime: Runtime, provider: OidcProvider) -> Person | None:
    roles: dict[str, tuple[tuple[Role, str | None], ...]] = {
        "citizen": (),
        "staff_of_town": ((Role.STAFF, "soest"),),
        "staff_of_other_town": ((Role.STAFF, "olpe"),),
        "moderator_of_town": ((Role.MODERATOR, "soest"),),
        "admin_of_town": ((Role.ADMIN, "soest"),),
    }
    if kind == "anonymous":
        return None
    return await person(runtime, provider, f"caller-{kind}", roles_held=roles[kind])


NOT_MANAGERS = ["anonymous", "citizen", "staff_of_town", "staff_of_other_town", "moderator_of_town", "admin_of_town"]


@pytest.mark.parametrize("kind", NOT_MANAGERS)
async def test_only_the_organisations_managers_edit_its_offers(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    other = await registered_organisation(
        graphql, runtime, oidc_provider, town="soest", manager_subject="other-manager"
    )
    caller = await _caller(kind, runtime, oidc_provider)
    callers = [caller, other.manager] if caller else [other.manager]
    change = {"input": {"offerId": setup.offer_id, "fields": {"title": "Übernommen von Fremden"}}}

    for who in callers:
        refused = await graphql(UPDATE_OFFER, change, headers=who.headers if who else {})
        assert refused["data"] is None
        assert codes(refused["errors"]) == ["FORBIDDEN" if who else "UNAUTHENTICATED"]

    assert await count_rows(runtime, "volunteer_offers", "title = 'Lebensmittel ausgeben'") == 1
    allowed = await graphql(UPDATE_OFFER, change, headers=setup.organisation.manager.headers)
    assert allowed["data"]["updateOffer"] == {
        "__typename": "OfferUpdated",
        "offer": {"title": "Übernommen von Fremden"},
    }


@pytest.mark.parametrize("kind", NOT_MANAGERS)
async def test_only_the_organisations_managers_confirm_hours_and_see_the_roster(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    anna = await person(runtime, oidc_provider, "anna")
    signed = await sign_up(graphql, anna, setup.shift_id)
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    caller = await _caller(kind, runtime, oidc_provider)
    attendance = {"input": {"signUpId": signed["signUp"]["id"], "attended": True, "hours": 2.5}}

    refused = await graphql(CONFIRM_ATTENDANCE, attendance, headers=caller.headers if caller else {})
    roster = await graphql(ROSTER, {"id": setup.shift_id}, headers=caller.headers if caller else {})

    assert refused["data"] is None
    assert codes(refused["errors"]) == ["FORBIDDEN" if caller else "UNAUTHENTICATED"]
    assert roster["data"]["node"] == {"roster": None}
    assert codes(roster["errors"]) == ["FORBIDDEN" if caller else "UNAUTHENTICATED"]
    assert await count_rows(runtime, "volunteer_sign_ups", "status = 'confirmed'") == 1

    manager = setup.organisation.manager
    confirmed = await graphql(CONFIRM_ATTENDANCE, attendance, headers=manager.headers)
    assert confirmed["data"]["confirmAttendance"] == {
        "__typename": "AttendanceConfirmed",
        "signUp": {"status": "ATTENDED", "hours": 2.5},
    }
    seen = await graphql(ROSTER, {"id": setup.shift_id}, headers=manager.headers)
    assert seen["data"]["node"]["roster"] == [{"signUp": {"status": "ATTENDED"}, "person": {"displayName": "Anna"}}]
    mine = (await graphql(ENGAGEMENTS, headers=anna.headers))["data"]["myEngagements"]
    assert mine == {
        "signUps": [{"status": "ATTENDED", "hours": 2.5}],
        "yearlyTotals": [{"year": start.year, "hours": 2.5, "shifts": 1}],
    }


async def test_a_person_cancels_only_their_own_sign_up(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    anna, ben = await person(runtime, oidc_provider, "anna"), await person(runtime, oidc_provider, "ben")
    signed = await sign_up(graphql, anna, setup.shift_id)

    by_other = await graphql(CANCEL_SIGN_UP, {"id": signed["signUp"]["id"]}, headers=ben.headers)
    by_manager = await graphql(
        CANCEL_SIGN_UP, {"id": signed["signUp"]["id"]}, headers=setup.organisation.manager.headers
    )
    anonymous = await graphql(CANCEL_SIGN_UP, {"id": signed["signUp"]["id"]})

    for refused in (by_other, by_manager):
        assert refused["data"] is None
        assert codes(refused["errors"]) == ["FORBIDDEN"]
    assert codes(anonymous["errors"]) == ["UNAUTHENTICATED"]
    assert await count_rows(runtime, "volunteer_sign_ups", "status = 'confirmed'") == 1
    assert await count_rows(runtime, "volunteer_shifts", "places_taken = 1") == 1
    own = await graphql(CANCEL_SIGN_UP, {"id": signed["signUp"]["id"]}, headers=anna.headers)
    assert own["data"]["cancelSignUp"]["signUp"]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        ("citizen", False),
        ("moderator_of_town", False),
        ("staff_of_other_town", False),
        ("staff_of_town", True),
        ("admin_of_town", True),
    ],
)
async def test_staff_of_the_town_verify_organisations(
    kind: str, allowed: bool, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, town="soest", verified=False)
    caller = await _caller(kind, runtime, oidc_provider)
    assert caller is not None

    result = await graphql(VERIFY, {"id": organisation.id}, headers=caller.headers)

    if allowed:
        assert result["data"]["verifyOrganisation"] == {
            "__typename": "OrganisationVerified",
            "organisation": {"id": organisation.id, "isVerified": True},
        }
        assert await count_rows(runtime, "organisations", "verified_at IS NOT NULL") == 1
        assert await count_rows(runtime, "audit_log", "action = 'organisation.verified'") == 1
    else:
        # An unverified organisation is invisible to everyone but its managers and its town's staff.
        assert result["data"]["verifyOrganisation"] == {
            "__typename": "NotFound",
            "code": "UNKNOWN_ORGANISATION",
            "field": "organisationId",
            "message": "Diese Organisation gibt es nicht.",
        }
        assert await count_rows(runtime, "organisations", "verified_at IS NULL") == 1
        assert await count_rows(runtime, "audit_log", "action = 'organisation.verified'") == 0


async def test_unverified_organisations_cannot_publish(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    organisation = await registered_organisation(graphql, runtime, oidc_provider, verified=False)
    offer_id = await drafted_offer(graphql, organisation)

    result = await graphql(PUBLISH, {"id": offer_id}, headers=organisation.manager.headers)

    assert result["data"]["publishOffer"] == {
        "__typename": "InvalidInput",
        "code": "ORGANISATION_NOT_VERIFIED",
        "field": None,
        "message": "Angebote veröffentlichen nur Organisationen, die die Stadt bestätigt hat.",
    }
    assert await count_rows(runtime, "volunteer_offers", "status = 'draft'") == 1
