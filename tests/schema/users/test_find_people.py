"""A town's admins find people by e-mail address or name to grant them roles, and see who holds the town's roles."""

from __future__ import annotations

import uuid

from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.mail import give_address
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person, town_id

FIND = """
query Find($townId: ID!, $text: String!) { findPeople(townId: $townId, text: $text) { email user { id displayName } } }
"""
HOLDERS = """
query Holders($townId: ID!) { townRoleHolders(townId: $townId) { role person { email user { id displayName } } } }
"""


async def _admin_and_town(runtime: Runtime, oidc_provider: OidcProvider) -> tuple[dict[str, str], str]:
    admin = await person(runtime, oidc_provider, f"admin-{uuid.uuid4()}", roles_held=((Role.ADMIN, "soest"),))
    return admin.headers, to_base64("Town", str(await town_id(runtime, "soest")))


async def test_an_admin_finds_a_person_by_address_or_by_part_of_the_name(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    headers, soest = await _admin_and_town(runtime, oidc_provider)
    marker = uuid.uuid4().hex[:8]
    wanted = await person(runtime, oidc_provider, f"wanted-{marker}", name=f"Wilma Wunsch {marker}")
    await give_address(runtime, wanted, f"Wilma.{marker}@example.org")

    by_address = await graphql(FIND, {"townId": soest, "text": f"wilma.{marker}@EXAMPLE.org"}, headers=headers)
    by_name = await graphql(FIND, {"townId": soest, "text": f"wunsch {marker}"}, headers=headers)

    expected = [
        {
            "email": f"Wilma.{marker}@example.org",
            "user": {"id": to_base64("User", str(wanted.user_id)), "displayName": f"Wilma Wunsch {marker}"},
        }
    ]
    assert by_address == {"data": {"findPeople": expected}}
    assert by_name == {"data": {"findPeople": expected}}


async def test_at_most_five_people_come_back_and_wildcards_are_taken_literally(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    headers, soest = await _admin_and_town(runtime, oidc_provider)
    marker = uuid.uuid4().hex[:8]
    for number in range(7):
        await person(runtime, oidc_provider, f"many-{marker}-{number}", name=f"Viele {marker} {number}")

    many = await graphql(FIND, {"townId": soest, "text": f"viele {marker}"}, headers=headers)
    wildcard = await graphql(FIND, {"townId": soest, "text": "%%%"}, headers=headers)

    assert len(many["data"]["findPeople"]) == 5
    assert wildcard == {"data": {"findPeople": []}}


async def test_a_search_too_short_is_refused_with_a_german_message(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    headers, soest = await _admin_and_town(runtime, oidc_provider)

    body = await graphql(FIND, {"townId": soest, "text": " ab "}, headers=headers)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "3 bis 320 Zeichen" in body["errors"][0]["message"]


async def test_the_holders_of_the_towns_roles_come_with_name_and_address(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    headers, soest = await _admin_and_town(runtime, oidc_provider)
    marker = uuid.uuid4().hex[:8]
    moderator = await person(
        runtime, oidc_provider, f"mod-{marker}", name=f"Moni {marker}", roles_held=((Role.MODERATOR, "soest"),)
    )
    await give_address(runtime, moderator, f"moni.{marker}@example.org")
    await person(
        runtime, oidc_provider, f"olpe-{marker}", name=f"Olpe {marker}", roles_held=((Role.MODERATOR, "olpe"),)
    )

    body = await graphql(HOLDERS, {"townId": soest}, headers=headers)

    mine = [row for row in body["data"]["townRoleHolders"] if marker in row["person"]["user"]["displayName"]]
    assert mine == [
        {
            "role": "MODERATOR",
            "person": {
                "email": f"moni.{marker}@example.org",
                "user": {"id": to_base64("User", str(moderator.user_id)), "displayName": f"Moni {marker}"},
            },
        }
    ]
