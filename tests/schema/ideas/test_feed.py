"""The idea feeds of a town and of the region: order, keyset pagination, filters, and what never shows up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.ideas.models import Lifecycle, OfficialStatus
from service.kit.geo import KM_PER_DEGREE_LATITUDE
from tests.conftest import GraphQLClient
from tests.support.ideas import (
    OLPE_CENTRE,
    SOEST_CENTRE,
    codes,
    comment_gid,
    idea_gid,
    insert_comment_directly,
    insert_idea_directly,
    town_ref,
)
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

PAGE = """
  edges { cursor node { id title } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
"""
TOWN_FEED = f"""
query TownFeed($slug: String!, $first: Int! = 20, $after: String, $filter: IdeaFilterInput,
               $orderBy: IdeaOrder! = NEWEST) {{
  town(slug: $slug) {{ ideas(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {PAGE} }} }}
}}
"""
REGION_FEED = f"""
query RegionFeed($first: Int! = 20, $after: String, $filter: IdeaFilterInput, $orderBy: IdeaOrder! = NEWEST) {{
  ideas(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {{ {PAGE} }}
}}
"""
REGION_FEED_WITH_TOWNS = """
query RegionFeedWithTowns { ideas(first: 100) { edges { node { title town { slug } } } } }
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    ... on Idea { id title lifecycle }
    ... on Comment { id body }
  }
}
"""
NESTED = """
query Nested($townId: ID!, $areaId: ID!) {
  node(id: $townId) { ... on Town { ideas(first: 10) { edges { node { title } } } } }
  area: node(id: $areaId) {
    ... on StrategyArea {
      town { ideas(first: 10) { edges { node { title town { ideas { edges { node { title } } } } } } } }
    }
  }
  towns { slug ideas(first: 10) { edges { node { title } } } }
  ideas(first: 10) {
    edges { node { title comments { body } town { ideas(first: 10) { edges { node { title } } } } } }
  }
}
"""

NOON = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
# One kilometre north of a point, in degrees of latitude (the feed's own constant, so that the edges are exact).
ONE_KM_NORTH = 1 / KM_PER_DEGREE_LATITUDE
UNPUBLISHED = (Lifecycle.PENDING, Lifecycle.REJECTED, Lifecycle.HIDDEN, Lifecycle.WITHDRAWN)


async def _titles(
    graphql: GraphQLClient, query: str = TOWN_FEED, headers: dict[str, str] | None = None, **variables: Any
) -> list[str]:
    if query is TOWN_FEED:
        variables.setdefault("slug", "soest")
    body = await graphql(query, variables, headers=headers)
    assert "errors" not in body, body
    connection = body["data"]["town"]["ideas"] if query is TOWN_FEED else body["data"]["ideas"]
    return [edge["node"]["title"] for edge in connection["edges"]]


async def _walk(graphql: GraphQLClient, query: str, first: int, **variables: Any) -> list[list[str]]:
    """Every page of a feed, following `endCursor` until `hasNextPage` is false."""
    pages: list[list[str]] = []
    after = None
    while True:
        body = await graphql(query, {**variables, "first": first, "after": after})
        assert "errors" not in body, body
        connection = body["data"]["town"]["ideas"] if "slug" in variables else body["data"]["ideas"]
        pages.append([edge["node"]["title"] for edge in connection["edges"]])
        info = connection["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if connection["edges"]:
            assert info["startCursor"] == connection["edges"][0]["cursor"]
            assert info["endCursor"] == connection["edges"][-1]["cursor"]
        if not info["hasNextPage"]:
            return pages
        assert len(pages) < 100, "the feed does not end"
        after = info["endCursor"]


async def _idea(runtime: Runtime, author: Person, title: str, town: str = "soest", **fields: Any) -> uuid.UUID:
    return await insert_idea_directly(runtime, author_id=author.user_id, town=town, title=title, **fields)


# ---------------------------------------------------------------- order and pagination


async def test_newest_first(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await _idea(runtime, clara, "Vor drei Stunden", published_at=NOON - timedelta(hours=3))
    await _idea(runtime, clara, "Vor einer Stunde", published_at=NOON - timedelta(hours=1))
    await _idea(runtime, clara, "Vor zwei Stunden", published_at=NOON - timedelta(hours=2))
    await _idea(runtime, clara, "Nie veröffentlicht", lifecycle=Lifecycle.PENDING)

    titles = await _titles(graphql, orderBy="NEWEST")

    assert titles == ["Vor einer Stunde", "Vor zwei Stunden", "Vor drei Stunden"]
    assert await _titles(graphql) == titles


async def test_most_supported_first(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    ids = {
        title: await _idea(runtime, clara, title, support_count=count)
        for title, count in (
            ("Fünf Stimmen", 5),
            ("Zwanzig A", 20),
            ("Eine Stimme", 1),
            ("Zwanzig B", 20),
            ("Keine Stimme", 0),
        )
    }
    tied = sorted(["Zwanzig A", "Zwanzig B"], key=lambda title: ids[title], reverse=True)

    titles = await _titles(graphql, orderBy="MOST_SUPPORTED")

    assert titles == [*tied, "Fünf Stimmen", "Eine Stimme", "Keine Stimme"]


async def test_recently_answered_first_and_only_answered(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    status = OfficialStatus.UNDER_REVIEW
    await _idea(runtime, clara, "Früh beantwortet", official_status=status, answered_at=NOON - timedelta(days=3))
    await _idea(runtime, clara, "Unbeantwortet", published_at=NOON)
    await _idea(runtime, clara, "Zuletzt beantwortet", official_status=status, answered_at=NOON)
    await _idea(runtime, clara, "Dazwischen", official_status=status, answered_at=NOON - timedelta(days=1))

    titles = await _titles(graphql, orderBy="RECENTLY_ANSWERED")

    assert titles == ["Zuletzt beantwortet", "Dazwischen", "Früh beantwortet"]


@pytest.mark.parametrize("order", ["NEWEST", "MOST_SUPPORTED", "RECENTLY_ANSWERED"])
@pytest.mark.parametrize("page_size", [1, 4, 7, 23, 100])
async def test_pages_visit_every_published_idea_exactly_once(
    order: str, page_size: int, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    expected = set()
    for number in range(23):
        title = f"Idee {number:02d}"
        # Many ties in every sort key, so that the id has to break them.
        await _idea(
            runtime,
            clara,
            title,
            published_at=NOON - timedelta(hours=number % 4),
            support_count=number % 3,
            official_status=OfficialStatus.ACCEPTED,
            answered_at=NOON - timedelta(days=number % 5),
        )
        expected.add(title)
    for lifecycle in UNPUBLISHED:
        await _idea(runtime, clara, f"Nicht sichtbar: {lifecycle}", lifecycle=lifecycle, published_at=NOON)

    pages = await _walk(graphql, TOWN_FEED, page_size, slug="soest", orderBy=order)

    visited = [title for page in pages for title in page]
    assert sorted(visited) == sorted(expected)
    assert len(visited) == len(set(visited))
    assert [len(page) for page in pages[:-1]] == [page_size] * (len(pages) - 1)
    assert visited == await _titles(graphql, first=100, orderBy=order)


async def test_region_pages_cross_towns(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    for number in range(9):
        town = ("soest", "olpe", "menden")[number % 3]
        await _idea(runtime, clara, f"{town} {number}", town=town, published_at=NOON - timedelta(minutes=number))

    pages = await _walk(graphql, REGION_FEED, 4)

    assert pages == [
        ["soest 0", "olpe 1", "menden 2", "soest 3"],
        ["olpe 4", "menden 5", "soest 6", "olpe 7"],
        ["menden 8"],
    ]
    towns = (await graphql(REGION_FEED_WITH_TOWNS))["data"]["ideas"]["edges"]
    assert {edge["node"]["town"]["slug"] for edge in towns} == {"soest", "olpe", "menden"}
    assert await _titles(graphql, slug="olpe") == ["olpe 1", "olpe 4", "olpe 7"]


@pytest.mark.parametrize("first", [101, 0, -1])
@pytest.mark.parametrize("query", [TOWN_FEED, REGION_FEED], ids=["town", "region"])
async def test_page_size_out_of_range_is_a_top_level_error(
    first: int, query: str, runtime: Runtime, graphql: GraphQLClient
) -> None:
    body = await graphql(query, {"slug": "soest", "first": first} if query is TOWN_FEED else {"first": first})

    assert codes(body["errors"]) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "`first` muss zwischen 1 und 100 liegen."


async def test_bad_cursors_are_a_top_level_error(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    for number in range(3):
        await _idea(runtime, clara, f"Idee {number}", support_count=number)
    newest = (await graphql(TOWN_FEED, {"slug": "soest", "first": 1}))["data"]["town"]["ideas"]["pageInfo"]

    for after, order in (
        ("kaputt", "NEWEST"),
        ("%%%", "NEWEST"),
        ("W10=", "NEWEST"),
        (newest["endCursor"], "MOST_SUPPORTED"),
    ):
        body = await graphql(TOWN_FEED, {"slug": "soest", "first": 1, "after": after, "orderBy": order})
        assert codes(body["errors"]) == ["BAD_USER_INPUT"], (after, body)
        assert body["errors"][0]["message"] == "Ungültiger Cursor für diese Sortierung."


# ---------------------------------------------------------------- filters


async def test_filter_by_strategy_area_and_status(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest, olpe = await town_ref(graphql, "soest"), await town_ref(graphql, "olpe")
    await _idea(runtime, clara, "Altstadt angenommen", area=1, official_status=OfficialStatus.ACCEPTED)
    await _idea(runtime, clara, "Altstadt offen", area=1)
    await _idea(runtime, clara, "Klima angenommen", area=0, official_status=OfficialStatus.ACCEPTED)
    await _idea(runtime, clara, "Klima abgelehnt", area=0, official_status=OfficialStatus.DECLINED)

    altstadt = await _titles(graphql, filter={"strategyAreaId": soest.area_ids[1]})
    accepted = await _titles(graphql, filter={"status": "ACCEPTED"})
    both = await _titles(graphql, filter={"strategyAreaId": soest.area_ids[0], "status": "DECLINED"})
    region = await _titles(graphql, REGION_FEED, filter={"strategyAreaId": soest.area_ids[1]})
    other_town = await _titles(graphql, filter={"strategyAreaId": olpe.area_ids[0]})

    assert sorted(altstadt) == ["Altstadt angenommen", "Altstadt offen"]
    assert sorted(accepted) == ["Altstadt angenommen", "Klima angenommen"]
    assert both == ["Klima abgelehnt"]
    assert sorted(region) == sorted(altstadt)
    assert other_town == []
    malformed = await graphql(TOWN_FEED, {"slug": "soest", "filter": {"strategyAreaId": "kaputt"}})
    assert codes(malformed["errors"]) == ["BAD_USER_INPUT"]


async def test_german_full_text_search(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    await _idea(runtime, clara, "Neue Radwege am Bahnhof", body="Sicher vom Bahnhof in die Altstadt.")
    await _idea(runtime, clara, "Mehr Bänke am Wall", body="Zum Ausruhen auf dem Weg, auch für Radfahrer.")
    await _idea(runtime, clara, "Trinkbrunnen", body="Wasser für alle, die am Radweg unterwegs sind.")
    await _idea(runtime, clara, "Radwege in Olpe", town="olpe")

    radweg = await _titles(graphql, filter={"text": "Radweg"}, orderBy="NEWEST")
    bahnhof = await _titles(graphql, filter={"text": "bahnhöfe"})
    phrase = await _titles(graphql, filter={"text": '"neue radwege"'})
    excluded = await _titles(graphql, filter={"text": "radweg -bahnhof"})
    region = await _titles(graphql, REGION_FEED, filter={"text": "Radwege"})

    assert sorted(radweg) == ["Neue Radwege am Bahnhof", "Trinkbrunnen"]
    assert bahnhof == ["Neue Radwege am Bahnhof"]
    assert phrase == ["Neue Radwege am Bahnhof"]
    assert excluded == ["Trinkbrunnen"]
    assert sorted(region) == ["Neue Radwege am Bahnhof", "Radwege in Olpe", "Trinkbrunnen"]
    for odd in ("&|!(", "'", "\\", "   ", "x" * 1000):
        assert await _titles(graphql, filter={"text": odd}) is not None


async def test_near_a_point(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    latitude, longitude = SOEST_CENTRE
    await _idea(runtime, clara, "Ein Kilometer", location=(latitude + ONE_KM_NORTH, longitude))
    await _idea(runtime, clara, "Zehn Kilometer", location=(latitude + 10 * ONE_KM_NORTH, longitude))
    await _idea(runtime, clara, "Ohne Ort")
    await _idea(runtime, clara, "In Olpe", town="olpe", location=OLPE_CENTRE)
    centre = {"latitude": latitude, "longitude": longitude}

    within_two = await _titles(graphql, filter={"near": {**centre, "radiusKm": 2}})
    default_radius = await _titles(graphql, filter={"near": centre})
    within_fifteen = await _titles(graphql, filter={"near": {**centre, "radiusKm": 15}})
    region = await _titles(graphql, REGION_FEED, filter={"near": {**centre, "radiusKm": 50}})

    assert within_two == ["Ein Kilometer"]
    assert default_radius == ["Ein Kilometer"]
    assert sorted(within_fifteen) == ["Ein Kilometer", "Zehn Kilometer"]
    assert sorted(region) == ["Ein Kilometer", "Zehn Kilometer"]
    for radius in (0, -1, 51):
        body = await graphql(TOWN_FEED, {"slug": "soest", "filter": {"near": {**centre, "radiusKm": radius}}})
        assert codes(body["errors"]) == ["BAD_USER_INPUT"], radius


# ---------------------------------------------------------------- visibility


async def _one_of_each(runtime: Runtime, author: Person, town: str) -> dict[Lifecycle, uuid.UUID]:
    """An idea in every state, each titled after it; the unpublished ones mention the search word too."""
    ideas = {}
    for lifecycle in Lifecycle:
        ideas[lifecycle] = await _idea(
            runtime,
            author,
            f"Radweg {town} {lifecycle.value}",
            town=town,
            lifecycle=lifecycle,
            published_at=NOON,
            support_count=100 if lifecycle is not Lifecycle.PUBLISHED else 1,
            official_status=OfficialStatus.UNDER_REVIEW,
            answered_at=NOON,
            location=SOEST_CENTRE if town == "soest" else OLPE_CENTRE,
        )
    return ideas


async def _every_listing(graphql: GraphQLClient, headers: dict[str, str] | None) -> set[str]:
    """Every idea title reachable through the feeds, search and nested fields."""
    soest = await town_ref(graphql, "soest")
    seen: set[str] = set()
    for query, variables in (
        (TOWN_FEED, {"slug": "soest"}),
        (TOWN_FEED, {"slug": "olpe"}),
        (REGION_FEED, {}),
    ):
        for order in ("NEWEST", "MOST_SUPPORTED", "RECENTLY_ANSWERED"):
            for filter_ in (
                None,
                {"text": "Radweg"},
                {"status": "UNDER_REVIEW"},
                {"near": {"latitude": SOEST_CENTRE[0], "longitude": SOEST_CENTRE[1], "radiusKm": 50}},
            ):
                seen.update(
                    await _titles(graphql, query, headers, **variables, orderBy=order, filter=filter_, first=100)
                )
    nested = await graphql(NESTED, {"townId": soest.id, "areaId": soest.area_ids[0]}, headers=headers)
    assert "errors" not in nested, nested
    data = nested["data"]

    def collect(value: object) -> None:
        if isinstance(value, dict):
            if "title" in value:
                seen.add(value["title"])
            for child in value.values():
                collect(child)
        elif isinstance(value, list):
            for child in value:
                collect(child)

    collect(data)
    return seen


async def test_unpublished_ideas_of_others_never_appear(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    soest_moderator = await person(runtime, oidc_provider, "mona", roles_held=((Role.MODERATOR, "soest"),))
    soest_ideas = await _one_of_each(runtime, clara, "soest")
    olpe_ideas = await _one_of_each(runtime, clara, "olpe")
    published = {"Radweg soest published", "Radweg olpe published"}

    for caller in (None, omar, soest_moderator, clara):
        headers = caller.headers if caller else None
        # Feeds list published ideas only: for strangers, for moderators and for the author alike.
        assert await _every_listing(graphql, headers) == published
        for lifecycle in UNPUBLISHED:
            for idea in (soest_ideas[lifecycle], olpe_ideas[lifecycle]):
                node = (await graphql(NODE, {"id": idea_gid(idea)}, headers=headers))["data"]["node"]
                may_see = caller is clara or (caller is soest_moderator and idea == soest_ideas[lifecycle])
                assert (node is not None) is may_see, (caller, lifecycle, idea)
    for idea in (soest_ideas[Lifecycle.PUBLISHED], olpe_ideas[Lifecycle.PUBLISHED]):
        assert (await graphql(NODE, {"id": idea_gid(idea)}))["data"]["node"]["lifecycle"] == "PUBLISHED"


async def test_author_sees_their_pending_idea_and_the_towns_moderator_does_too(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    soest_moderator = await person(runtime, oidc_provider, "mona", roles_held=((Role.MODERATOR, "soest"),))
    soest_pending = await _idea(runtime, clara, "In Soest eingereicht", lifecycle=Lifecycle.PENDING)
    olpe_pending = await _idea(runtime, clara, "In Olpe eingereicht", town="olpe", lifecycle=Lifecycle.PENDING)

    own_soest = (await graphql(NODE, {"id": idea_gid(soest_pending)}, headers=clara.headers))["data"]["node"]
    own_olpe = (await graphql(NODE, {"id": idea_gid(olpe_pending)}, headers=clara.headers))["data"]["node"]
    moderated = (await graphql(NODE, {"id": idea_gid(soest_pending)}, headers=soest_moderator.headers))["data"]
    elsewhere = (await graphql(NODE, {"id": idea_gid(olpe_pending)}, headers=soest_moderator.headers))["data"]

    assert own_soest == {
        "__typename": "Idea",
        "id": idea_gid(soest_pending),
        "title": "In Soest eingereicht",
        "lifecycle": "PENDING",
    }
    assert own_olpe["lifecycle"] == "PENDING"
    assert moderated["node"]["title"] == "In Soest eingereicht"
    assert elsewhere["node"] is None


async def test_unpublished_comments_of_others_never_appear(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea = await _idea(runtime, clara, "Öffentlich")
    hidden_idea = await _idea(runtime, clara, "Versteckt", lifecycle=Lifecycle.HIDDEN)
    comments = {
        lifecycle: await insert_comment_directly(
            runtime, idea_id=idea, author_id=omar.user_id, body=f"Kommentar {lifecycle.value}", lifecycle=lifecycle
        )
        for lifecycle in Lifecycle
    }
    on_hidden_idea = await insert_comment_directly(
        runtime, idea_id=hidden_idea, author_id=omar.user_id, body="Unter versteckter Idee"
    )

    as_other = await _every_listing(graphql, clara.headers)
    nested = await graphql(
        "query { ideas { edges { node { commentCount comments { body } } } } }", headers=clara.headers
    )

    assert as_other == {"Öffentlich"}
    assert nested["data"]["ideas"]["edges"] == [
        {"node": {"commentCount": 1, "comments": [{"body": "Kommentar published"}]}}
    ]
    for lifecycle, comment in comments.items():
        node = (await graphql(NODE, {"id": comment_gid(comment)}, headers=clara.headers))["data"]["node"]
        assert (node is not None) is (lifecycle is Lifecycle.PUBLISHED), lifecycle
        own = (await graphql(NODE, {"id": comment_gid(comment)}, headers=omar.headers))["data"]["node"]
        assert own is not None, lifecycle
    assert (await graphql(NODE, {"id": comment_gid(on_hidden_idea)}))["data"]["node"] is None
