"""Contact sharing: a volunteer agrees at sign-up (or later) that the organisation's managers see their e-mail
address; the roster shows it only for those who agreed, the consent is part of the data export and goes with the
account."""

from __future__ import annotations

from typing import Any

from mitmachen.runtime import Runtime
from service.privacy.document import build_document
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person
from tests.support.privacy import citizen
from tests.support.volunteering import added_shift, in_days, open_shift

SIGN_UP_SHARING = """
mutation SignUp($id: ID!, $share: Boolean!) {
  signUpForShift(shiftId: $id, shareContact: $share) {
    __typename
    ... on SignedUpForShift { signUp { id status sharesContact } }
    ... on UserError { code field message }
  }
}
"""
SET_SHARING = """
mutation Sharing($id: ID!, $share: Boolean!) {
  setContactSharing(signUpId: $id, share: $share) {
    __typename
    ... on ContactSharingSet { signUp { id sharesContact } }
    ... on UserError { code field message }
  }
}
"""
ROSTER = """
query Roster($id: ID!) {
  node(id: $id) { ... on Shift { roster { person { displayName } contactEmail signUp { sharesContact } } } }
}
"""
DELETE = "mutation { deleteMyAccount(confirm: true) { __typename } }"


async def _signed_up(graphql: GraphQLClient, who: Person, shift_id: str, *, share: bool) -> str:
    result = (await graphql(SIGN_UP_SHARING, {"id": shift_id, "share": share}, headers=who.headers))["data"]
    assert result["signUpForShift"]["signUp"]["sharesContact"] is share, result
    sign_up_id: str = result["signUpForShift"]["signUp"]["id"]
    return sign_up_id


async def _roster(graphql: GraphQLClient, manager: Person, shift_id: str) -> list[dict[str, Any]]:
    body = await graphql(ROSTER, {"id": shift_id}, headers=manager.headers)
    assert "errors" not in body, body
    roster: list[dict[str, Any]] = body["data"]["node"]["roster"]
    return roster


async def test_the_roster_shows_the_address_only_of_those_who_agreed(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=1)
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    ben = await citizen(runtime, oidc_provider, "ben", "Ben Brandt")
    cem = await citizen(runtime, oidc_provider, "cem", "Cem Celik")
    annas = await _signed_up(graphql, anna.person, setup.shift_id, share=True)
    await _signed_up(graphql, ben.person, setup.shift_id, share=False)
    # Without the argument nothing is shared; the waitlisted are on the roster too.
    plain = await graphql(
        "mutation($id: ID!) { signUpForShift(shiftId: $id) { ... on SignedUpForShift { signUp { sharesContact } } } }",
        {"id": setup.shift_id},
        headers=cem.headers,
    )
    assert plain["data"]["signUpForShift"]["signUp"] == {"sharesContact": False}
    manager = setup.organisation.manager

    assert await _roster(graphql, manager, setup.shift_id) == [
        {"person": {"displayName": "Anna Achterberg"}, "contactEmail": anna.email, "signUp": {"sharesContact": True}},
        {"person": {"displayName": "Ben Brandt"}, "contactEmail": None, "signUp": {"sharesContact": False}},
        {"person": {"displayName": "Cem Celik"}, "contactEmail": None, "signUp": {"sharesContact": False}},
    ]

    # Anna withdraws her consent; only she can change it.
    by_manager = await graphql(SET_SHARING, {"id": annas, "share": False}, headers=manager.headers)
    assert by_manager["data"] is None
    assert by_manager["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    withdrawn = await graphql(SET_SHARING, {"id": annas, "share": False}, headers=anna.headers)
    assert withdrawn["data"]["setContactSharing"] == {
        "__typename": "ContactSharingSet",
        "signUp": {"id": annas, "sharesContact": False},
    }
    assert [entry["contactEmail"] for entry in await _roster(graphql, manager, setup.shift_id)] == [None] * 3


async def test_the_consent_is_exported_and_goes_with_the_account(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    setup = await open_shift(graphql, runtime, oidc_provider, capacity=3)
    later = await added_shift(graphql, setup.organisation, setup.offer_id, capacity=3, starts_at=in_days(9))
    anna = await citizen(runtime, oidc_provider, "anna", "Anna Achterberg")
    await _signed_up(graphql, anna.person, setup.shift_id, share=True)
    await _signed_up(graphql, anna.person, later, share=False)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        document = await build_document(session, anna.user_id)
    assert sorted(row["share_contact"] for row in document["volunteerSignUps"]) == [False, True]

    deleted = await graphql(DELETE, headers=anna.headers)
    assert deleted["data"]["deleteMyAccount"]["__typename"] == "AccountDeleted", deleted

    assert await count_rows(runtime, "volunteer_sign_ups", f"user_id = '{anna.user_id}'") == 2
    assert await count_rows(runtime, "volunteer_sign_ups", "share_contact") == 0
    roster = await _roster(graphql, setup.organisation.manager, setup.shift_id)
    assert [entry["contactEmail"] for entry in roster] == [None]
