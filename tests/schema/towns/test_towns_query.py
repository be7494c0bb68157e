from __future__ import annotations

import asyncio
import base64
from typing import Any

from service.db.engine import count_statements
from service.towns.demo import DEMO_TOWNS
from tests.conftest import GraphQLClient

TOWNS = """
query Towns { towns { slug name isPioneer strategyAreas { slug name isRegionTheme } } }
"""
TOWN = """
query Town($slug: String!) { town(slug: $slug) { id name strategyAreas { id name town { slug } } } }
"""
NODE = """
query Node($id: ID!) { node(id: $id) { id ... on Town { slug } ... on StrategyArea { name } } }
"""
TOWN_WITH_AREAS = """
query Town($slug: String!) { town(slug: $slug) { name ... on Town { strategyAreas { slug name } } } }
"""
REGION_THEMES = "query { regionThemes { slug name isRegionTheme town { slug } } }"


async def test_anonymous_caller_lists_every_seeded_town_with_its_areas(graphql: GraphQLClient) -> None:
    body = await graphql(TOWNS)

    towns = body["data"]["towns"]
    assert {town["slug"] for town in towns} == {demo.slug for demo in DEMO_TOWNS}
    soest = next(town for town in towns if town["slug"] == "soest")
    assert soest["isPioneer"] is True
    assert soest["strategyAreas"][0] == {
        "slug": "klimaneutrale-smart-city",
        "name": "Klimaneutrale Smart City",
        "isRegionTheme": False,
    }
    assert all(town["strategyAreas"] for town in towns)


async def test_towns_with_areas_cost_two_statements_whatever_the_number_of_towns(graphql: GraphQLClient) -> None:
    with count_statements() as counter:
        body = await graphql(TOWNS)

    assert len(body["data"]["towns"]) == len(DEMO_TOWNS)
    assert counter.count == 2


async def test_a_town_with_its_areas_costs_one_statement(graphql: GraphQLClient) -> None:
    with count_statements() as counter:
        soest = (await graphql(TOWN_WITH_AREAS, {"slug": "soest"}))["data"]["town"]
    with count_statements() as unknown:
        missing = await graphql(TOWN_WITH_AREAS, {"slug": "atlantis"})

    assert soest["name"] == "Soest"
    demo = next(town for town in DEMO_TOWNS if town.slug == "soest")
    assert [area["name"] for area in soest["strategyAreas"]] == [name for _, name in demo.areas]
    assert counter.count == 1
    assert missing == {"data": {"town": None}}
    assert unknown.count == 1


async def test_town_by_slug_and_unknown_slug(graphql: GraphQLClient) -> None:
    olpe = (await graphql(TOWN, {"slug": "olpe"}))["data"]["town"]
    missing = await graphql(TOWN, {"slug": "atlantis"})

    assert olpe["name"] == "Olpe"
    assert {area["town"]["slug"] for area in olpe["strategyAreas"]} == {"olpe"}
    assert missing == {"data": {"town": None}}


async def test_node_resolves_towns_and_areas_by_global_id(graphql: GraphQLClient) -> None:
    town = (await graphql(TOWN, {"slug": "menden"}))["data"]["town"]
    area = town["strategyAreas"][0]

    assert (await graphql(NODE, {"id": town["id"]}))["data"]["node"] == {"id": town["id"], "slug": "menden"}
    assert (await graphql(NODE, {"id": area["id"]}))["data"]["node"]["name"] == area["name"]


async def test_node_with_unknown_or_malformed_id_is_null_or_a_clear_error(graphql: GraphQLClient) -> None:
    unknown = base64.b64encode(b"Town:00000000-0000-4000-8000-000000000000").decode()
    malformed = base64.b64encode(b"Town:not-a-uuid").decode()

    assert (await graphql(NODE, {"id": unknown}))["data"]["node"] is None
    assert (await graphql(NODE, {"id": malformed}))["data"]["node"] is None
    # Not a global id at all: unknown like any other id, not a masked internal error.
    garbage = await graphql(NODE, {"id": "%%%"})
    assert garbage == {"data": {"node": None}}


async def test_region_themes_belong_to_no_town(graphql: GraphQLClient) -> None:
    themes = (await graphql(REGION_THEMES))["data"]["regionThemes"]

    assert [theme["slug"] for theme in themes] == [
        "stadtentwicklung",
        "gesundheit",
        "mobilitaet",
        "klima",
        "verwaltung",
    ]
    assert all(theme["isRegionTheme"] and theme["town"] is None for theme in themes)


def _count_tasks() -> list[int]:
    """Counts the tasks the running loop creates from here on (until the loop's factory is reset)."""
    loop = asyncio.get_running_loop()
    created: list[int] = []

    def factory(loop: asyncio.AbstractEventLoop, coroutine: Any, **kwargs: Any) -> asyncio.Task[Any]:
        created.append(1)
        return asyncio.Task(coroutine, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    return created


async def test_an_anonymous_header_and_areas_read_with_the_town_take_no_task(graphql: GraphQLClient) -> None:
    # Every page asks for `me` (null for an anonymous visitor) beside its data; a town's page reads the areas with
    # the town. Neither is waited for: the page runs as the town alone does, without tasks run side by side.
    await graphql(TOWN_WITH_AREAS, {"slug": "soest"})
    try:
        bare = _count_tasks()
        await graphql('{ town(slug: "soest") { name } }')
        with_header_and_areas = _count_tasks()
        body = await graphql('{ me { user { id } } town(slug: "soest") { name strategyAreas { slug } } }')
    finally:
        asyncio.get_running_loop().set_task_factory(None)

    assert body["data"]["me"] is None
    assert body["data"]["town"]["strategyAreas"]
    assert len(with_header_and_areas) == len(bare)
