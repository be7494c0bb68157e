"""An organisation's managers: they add co-managers by e-mail address and remove them (never the last one while
offers are open); `me.organisations` lists what a person manages; when the last manager is gone, the town's staff act
for the organisation; `grantRole` refuses a manager role without an organisation. Every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.ideas import codes, count_rows, town_ref
from tests.support.mail import give_address
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.volunteering import (
    Organisation,
    drafted_offer,
    move_shift_directly,
    notifications_of,
    open_shift,
    sign_up,
)

ADD = """
mutation Add($id: ID!, $email: String!) {
  addOrganisationManager(organisationId: $id, email: $email) {
    __typename
    ... on OrganisationManagerAdded { organisation { id } manager { id displayName } }
    ... on UserError { code field message }
  }
}
"""
REMOVE = """
mutation Remove($id: ID!, $user: ID!) {
  removeOrganisationManager(organisationId: $id, userId: $user) {
    __typename
    ... on OrganisationManagerRemoved { organisation { id } }
    ... on UserError { code field message }
  }
}
"""
MANAGERS = "query Q($id: ID!) { organisation(id: $id) { managers { displayName } } }"
MINE = "{ me { organisations { id name } } }"
ROSTER = "query Roster($id: ID!) { node(id: $id) { ... on Shift { roster { person { displayName } } } } }"
ATTENDANCE = """
mutation Attendance($input: ConfirmAttendanceInput!) {
  confirmAttendance(input: $input) { __typename ... on AttendanceConfirmed { signUp { status } } }
}
"""
CLOSE = "mutation Close($id: ID!) { closeOffer(offerId: $id) { __typename ... on UserError { code } } }"
DELETE = "mutation { deleteMyAccount(confirm: true) { __typename } }"
GRANT = """
mutation Grant($input: RoleInput!) { grantRole(input: $input) { __typename ... on UserError { code field message } } }
"""
REVOKE = """
mutation Revoke($input: RoleInput!) { revokeRole(input: $input) { __typename ... on UserError { code field } } }
"""


def user_gid(someone: Person) -> str:
    return to_base64("User", str(someone.user_id))


async def _with_address(
    graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider, subject: str
) -> tuple[Person, str]:
    """A person and their e-mail address (the identity provider's, else one given to them)."""
    someone = await person(runtime, provider, subject)
    email: str | None = (await graphql("{ me { email } }", headers=someone.headers))["data"]["me"]["email"]
    if email is None:
        email = f"{subject}@verein.example"
        await give_address(runtime, someone, email)
    return someone, email


async def _manager_rows(runtime: Runtime) -> int:
    return await count_rows(runtime, "role_grants", "role = 'organisation_manager'")


async def test_a_manager_adds_a_co_manager_who_then_acts_for_the_organisation(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    organisation = setup.organisation
    clara, email = await _with_address(graphql, runtime, oidc_provider, "clara")
    before = await graphql(ROSTER, {"id": setup.shift_id}, headers=clara.headers)
    assert codes(before["errors"]) == ["FORBIDDEN"]

    added = await graphql(ADD, {"id": organisation.id, "email": email.upper()}, headers=organisation.manager.headers)
    again = await graphql(ADD, {"id": organisation.id, "email": email}, headers=organisation.manager.headers)

    for result in (added, again):
        assert result["data"]["addOrganisationManager"] == {
            "__typename": "OrganisationManagerAdded",
            "organisation": {"id": organisation.id},
            "manager": {"id": user_gid(clara), "displayName": "Clara"},
        }
    assert await _manager_rows(runtime) == 2
    assert await count_rows(runtime, "audit_log", "action = 'organisation.manager_added'") == 1
    assert len(await notifications_of(runtime, clara.user_id, "volunteering.manager_added")) == 1
    roster = await graphql(ROSTER, {"id": setup.shift_id}, headers=clara.headers)
    assert roster["data"]["node"] == {"roster": []}
    assert (await graphql(MINE, headers=clara.headers))["data"]["me"]["organisations"] == [
        {"id": organisation.id, "name": "Tafel Soest e. V."}
    ]
    seen = await graphql(MANAGERS, {"id": organisation.id}, headers=clara.headers)
    assert seen["data"]["organisation"]["managers"] == [{"displayName": "Manni"}, {"displayName": "Clara"}]
    await drafted_offer(graphql, Organisation(organisation.id, clara, organisation.town_slug))


@pytest.mark.parametrize(
    "case",
    [
        ("niemand@verein.example", "UNKNOWN_USER", "NotFound"),
        ("keine-adresse", "INVALID_INPUT", "InvalidInput"),
        ("", "INVALID_INPUT", "InvalidInput"),
    ],
)
async def test_adding_someone_without_an_account_changes_nothing(
    case: tuple[str, str, str], runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    email, code, typename = case
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)

    result = await graphql(
        ADD, {"id": setup.organisation.id, "email": email}, headers=setup.organisation.manager.headers
    )

    assert result["data"]["addOrganisationManager"]["__typename"] == typename
    assert result["data"]["addOrganisationManager"]["code"] == code
    assert result["data"]["addOrganisationManager"]["field"] == "email"
    assert await _manager_rows(runtime) == 1
    assert await count_rows(runtime, "audit_log", "action LIKE 'organisation.manager%'") == 0


async def test_the_last_manager_stays_while_offers_are_open(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    manni = setup.organisation.manager
    clara, email = await _with_address(graphql, runtime, oidc_provider, "clara")
    await graphql(ADD, {"id": setup.organisation.id, "email": email}, headers=manni.headers)

    # Clara removes Manni; then she is the last one and cannot leave while the offer is open.
    removed = await graphql(REMOVE, {"id": setup.organisation.id, "user": user_gid(manni)}, headers=clara.headers)
    assert removed["data"]["removeOrganisationManager"]["__typename"] == "OrganisationManagerRemoved"
    last = await graphql(REMOVE, {"id": setup.organisation.id, "user": user_gid(clara)}, headers=clara.headers)
    assert last["data"]["removeOrganisationManager"]["code"] == "LAST_MANAGER"
    assert await _manager_rows(runtime) == 1
    not_a_manager = await graphql(REMOVE, {"id": setup.organisation.id, "user": user_gid(manni)}, headers=clara.headers)
    assert not_a_manager["data"]["removeOrganisationManager"]["code"] == "UNKNOWN_USER"
    # Manni no longer acts for it.
    refused = await graphql(CLOSE, {"id": setup.offer_id}, headers=manni.headers)
    assert codes(refused["errors"]) == ["FORBIDDEN"]
    assert (await graphql(MINE, headers=manni.headers))["data"]["me"]["organisations"] == []

    # With the offer closed, the last manager may leave.
    closed = await graphql(CLOSE, {"id": setup.offer_id}, headers=clara.headers)
    assert closed["data"]["closeOffer"]["__typename"] == "OfferClosed"
    left = await graphql(REMOVE, {"id": setup.organisation.id, "user": user_gid(clara)}, headers=clara.headers)
    assert left["data"]["removeOrganisationManager"]["__typename"] == "OrganisationManagerRemoved"
    assert await _manager_rows(runtime) == 0
    assert await count_rows(runtime, "audit_log", "action = 'organisation.manager_removed'") == 2


STAFF_KINDS: dict[str, tuple[tuple[Role, str | None], ...]] = {
    "staff of Soest": ((Role.STAFF, "soest"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "region admin": ((Role.REGION_ADMIN, None),),
    "staff of Olpe": ((Role.STAFF, "olpe"),),
    "moderator of Soest": ((Role.MODERATOR, "soest"),),
    "region staff": ((Role.REGION_STAFF, None),),
    "citizen": (),
}
ACTING_FOR_ORPHANS = {"staff of Soest", "admin of Soest", "region admin"}


@pytest.mark.parametrize("kind", list(STAFF_KINDS))
async def test_the_towns_staff_act_for_an_organisation_whose_last_manager_deleted_her_account(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=2)
    anna = await person(runtime, oidc_provider, "anna")
    signed = await sign_up(graphql, anna, setup.shift_id)
    caller = await person(runtime, oidc_provider, f"caller-{kind}", roles_held=STAFF_KINDS[kind])
    # While the organisation has a manager, nobody else sees its roster.
    before = await graphql(ROSTER, {"id": setup.shift_id}, headers=caller.headers)
    assert codes(before["errors"]) == ["FORBIDDEN"]

    deleted = await graphql(DELETE, headers=setup.organisation.manager.headers)
    assert deleted["data"]["deleteMyAccount"]["__typename"] == "AccountDeleted"
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(runtime, setup.shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    successor, email = await _with_address(graphql, runtime, oidc_provider, "successor")

    roster = await graphql(ROSTER, {"id": setup.shift_id}, headers=caller.headers)
    attendance = await graphql(
        ATTENDANCE, {"input": {"signUpId": signed["signUp"]["id"], "attended": True}}, headers=caller.headers
    )
    added = await graphql(ADD, {"id": setup.organisation.id, "email": email}, headers=caller.headers)

    if kind in ACTING_FOR_ORPHANS:
        assert roster["data"]["node"] == {"roster": [{"person": {"displayName": "Anna"}}]}
        assert attendance["data"]["confirmAttendance"] == {
            "__typename": "AttendanceConfirmed",
            "signUp": {"status": "ATTENDED"},
        }
        assert added["data"]["addOrganisationManager"]["__typename"] == "OrganisationManagerAdded"
        # With a manager again, the staff step back.
        closing = await graphql(CLOSE, {"id": setup.offer_id}, headers=caller.headers)
        assert codes(closing["errors"]) == ["FORBIDDEN"]
        closed = await graphql(CLOSE, {"id": setup.offer_id}, headers=successor.headers)
        assert closed["data"]["closeOffer"]["__typename"] == "OfferClosed"
    else:
        assert codes(roster["errors"]) == ["FORBIDDEN"]
        assert codes(attendance["errors"]) == ["FORBIDDEN"]
        assert codes(added["errors"]) == ["FORBIDDEN"]
        assert await count_rows(runtime, "volunteer_sign_ups", "status = 'confirmed'") == 1
        assert await _manager_rows(runtime) == 0


@pytest.mark.parametrize("mutation", [GRANT, REVOKE], ids=["grantRole", "revokeRole"])
@pytest.mark.parametrize("town", ["soest", None])
async def test_grant_role_refuses_a_manager_role_without_an_organisation(
    mutation: str, town: str | None, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    admin = await person(runtime, oidc_provider, "region-admin", roles_held=((Role.REGION_ADMIN, None),))
    target = await person(runtime, oidc_provider, "target")
    role_input: dict[str, Any] = {"userId": user_gid(target), "role": "ORGANISATION_MANAGER"}
    if town:
        role_input["townId"] = (await town_ref(graphql, town)).id

    audited = await count_rows(runtime, "audit_log", "action LIKE 'role.%'")

    body = await graphql(mutation, {"input": role_input}, headers=admin.headers)

    [result] = body["data"].values()
    assert result["__typename"] == "InvalidInput"
    assert result["code"] == "ROLE_NEEDS_ORGANISATION"
    assert result["field"] == "role"
    assert await _manager_rows(runtime) == 0
    assert await count_rows(runtime, "audit_log", "action LIKE 'role.%'") == audited
