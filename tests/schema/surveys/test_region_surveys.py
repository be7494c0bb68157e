"""`surveys`: the open surveys of the whole region, the same for every caller, newest first, in pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from tests.conftest import GraphQLClient
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.surveys import draft, in_days, move_closing_time, published_survey

REGION_SURVEYS = """
query Surveys($first: Int!, $after: String) {
  surveys(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { title isOpen town { slug } } }
  }
}
"""


async def test_the_region_lists_open_surveys_of_every_town_and_nothing_else(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    soest = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    olpe = await person(runtime, oidc_provider, "staff-olpe", roles_held=((Role.STAFF, "olpe"),))
    await published_survey(graphql, runtime, soest, title="Offen in Soest")
    await published_survey(graphql, runtime, olpe, title="Offen in Olpe", town="olpe")
    await draft(graphql, runtime, soest, title="Entwurf in Soest")
    await published_survey(graphql, runtime, soest, title="Später in Soest", opensAt=in_days(2))
    closed, _ = await published_survey(graphql, runtime, soest, title="Vorbei in Soest")
    await move_closing_time(runtime, closed, datetime.now(UTC) - timedelta(minutes=1))

    for caller in (None, soest, olpe):
        body = await graphql(REGION_SURVEYS, {"first": 10}, headers=caller.headers if caller else None)
        assert "errors" not in body, body
        nodes = [edge["node"] for edge in body["data"]["surveys"]["edges"]]
        assert nodes == [
            {"title": "Offen in Olpe", "isOpen": True, "town": {"slug": "olpe"}},
            {"title": "Offen in Soest", "isOpen": True, "town": {"slug": "soest"}},
        ]


async def test_the_region_surveys_come_in_pages(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    for number in range(3):
        await published_survey(graphql, runtime, staff, title=f"Umfrage Nummer {number}")

    first = (await graphql(REGION_SURVEYS, {"first": 2}))["data"]["surveys"]
    rest = (await graphql(REGION_SURVEYS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["data"]["surveys"]

    titles = [edge["node"]["title"] for edge in first["edges"] + rest["edges"]]
    assert titles == ["Umfrage Nummer 2", "Umfrage Nummer 1", "Umfrage Nummer 0"]
    assert first["pageInfo"]["hasNextPage"]
    assert not rest["pageInfo"]["hasNextPage"]
    body = await graphql(REGION_SURVEYS, {"first": 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
