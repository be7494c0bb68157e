"""Search hits come ranked: ideas named after the searched words first, and paging by rank is exact."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.schema.ideas.test_search_compounds import CORPUS, EXPECTED
from tests.support.ideas import codes, insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

TOWN_SEARCH = """
query Search($text: String, $first: Int! = 100, $after: String, $orderBy: IdeaOrder) {
  town(slug: "soest") {
    ideas(first: $first, after: $after, filter: {text: $text}, orderBy: $orderBy) {
      edges { cursor node { id title } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
REGION_SEARCH = """
query Search($text: String, $first: Int! = 100, $after: String, $orderBy: IdeaOrder) {
  ideas(first: $first, after: $after, filter: {text: $text}, orderBy: $orderBy) {
    edges { cursor node { id title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Hits of a query that carry the word only in their body (the corpus inserts them after some of the ideas named
# after the word, so newest first would put them ahead).
BODY_ONLY = {
    "Bank": {"Geldautomat im Ortsteil"},
    "Schule": {"Pflichtaufgaben zuerst erledigen"},
    "Straße": {"Neuer Radweg nach Ense"},
}
# Ideas alike in every word rank alike: paging must still list each once.
TWINS = [("Bank an der Bushaltestelle", "Eine Bank zum Warten.")] * 4


async def _seed(runtime: Runtime, oidc_provider: OidcProvider) -> None:
    author = await person(runtime, oidc_provider, "corpus")
    for title, body in [*CORPUS, *TWINS]:
        await insert_idea_directly(runtime, author_id=author.user_id, town="soest", title=title, body=body)


def _connection(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    data = body["data"]
    result: dict[str, Any] = data["town"]["ideas"] if "town" in data else data["ideas"]
    return result


async def _titles(graphql: GraphQLClient, query: str, variables: dict[str, Any]) -> list[str]:
    connection = _connection(await graphql(query, variables))
    return [edge["node"]["title"] for edge in connection["edges"]]


async def test_ideas_named_after_the_words_come_before_ideas_that_only_mention_them(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    await _seed(runtime, oidc_provider)

    for text, body_only in BODY_ONLY.items():
        for query in (TOWN_SEARCH, REGION_SEARCH):
            by_default = await _titles(graphql, query, {"text": text})
            by_relevance = await _titles(graphql, query, {"text": text, "orderBy": "RELEVANCE"})
            assert by_default == by_relevance, text
            named = [index for index, title in enumerate(by_default) if title not in body_only]
            mentioning = [index for index, title in enumerate(by_default) if title in body_only]
            assert named, (text, by_default)
            assert mentioning, (text, by_default)
            assert max(named) < min(mentioning), (text, by_default)
        # Asked for, the feed's other orders still apply to hits.
        newest = await _titles(graphql, TOWN_SEARCH, {"text": text, "orderBy": "NEWEST"})
        assert sorted(newest) == sorted(by_default)
        assert newest != by_default, text


async def test_paging_by_relevance_lists_every_hit_once_in_rank_order(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    await _seed(runtime, oidc_provider)

    for text in [*EXPECTED, "Bank Bushaltestelle", '"Bank zum Warten"', "Bank -Park"]:
        whole = _connection(await graphql(TOWN_SEARCH, {"text": text}))
        assert not whole["pageInfo"]["hasNextPage"]
        in_one_page = [edge["node"]["id"] for edge in whole["edges"]]
        paged: list[str] = []
        after = None
        while True:
            page = _connection(await graphql(TOWN_SEARCH, {"text": text, "first": 1, "after": after}))
            paged.extend(edge["node"]["id"] for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
            assert len(paged) <= len(in_one_page), text
        assert paged == in_one_page, text
        assert len(set(paged)) == len(paged), text
    twins = await _titles(graphql, TOWN_SEARCH, {"text": "Bank Bushaltestelle"})
    assert twins == [TWINS[0][0]] * len(TWINS)


@pytest.mark.parametrize("query", [TOWN_SEARCH, REGION_SEARCH])
@pytest.mark.parametrize("text", [None, "", "   "])
async def test_relevance_without_a_search_is_refused(
    query: str, text: str | None, runtime: Runtime, graphql: GraphQLClient
) -> None:
    body = await graphql(query, {"text": text, "orderBy": "RELEVANCE"})

    assert codes(body["errors"]) == ["BAD_USER_INPUT"], body
    assert "Suchtext" in body["errors"][0]["message"]


async def test_a_relevance_cursor_must_hold_a_rank_and_an_id(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient
) -> None:
    await _seed(runtime, oidc_provider)
    first = _connection(await graphql(TOWN_SEARCH, {"text": "Bank", "first": 1}))
    cursor = first["pageInfo"]["endCursor"]

    newest = await graphql(TOWN_SEARCH, {"text": "Bank", "first": 1, "after": cursor, "orderBy": "NEWEST"})
    assert codes(newest["errors"]) == ["BAD_USER_INPUT"]
    for forged in ('["relevance","NaN","00000000-0000-0000-0000-000000000000"]', '["relevance",1,"x"]'):
        after = base64.urlsafe_b64encode(forged.encode()).decode()
        body = await graphql(TOWN_SEARCH, {"text": "Bank", "first": 1, "after": after})
        assert codes(body["errors"]) == ["BAD_USER_INPUT"], forged
