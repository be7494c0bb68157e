"""A feed page costs a fixed number of SQL statements, however many ideas it shows: every nested field is batched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.db.engine import count_statements
from tests.conftest import GraphQLClient
from tests.support.ideas import count_rows, many_people
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person

FEED = """
query Feed($first: Int!) {
  town(slug: "soest") {
    ideas(first: $first) {
      edges {
        node {
          title
          author { displayName }
          town { name }
          strategyArea { name }
          supportCount
          commentCount
          viewerHasSupported
          officialAnswers { status }
          comments { body author { displayName } }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}
"""

IDEAS = 120
# The person behind the bearer token with their roles (one join), the town, the page of ideas with their authors
# and strategy areas (joined), then one batch each for the viewer's supports, official answers, comments, and
# comment authors. The ideas' town is the feed's own: no statement.
STATEMENTS_LOGGED_IN = 7
# Without a viewer there is nobody to look up and no supports to load.
STATEMENTS_ANONYMOUS = 5


async def _seed(runtime: Runtime, authors: list[Person], commenters: list[Person], viewer: Person) -> None:
    """120 published ideas of Soest in all its areas, supports, answers and published comments, in bulk."""
    params = {
        "authors": [author.user_id for author in authors],
        "commenters": [commenter.user_id for commenter in commenters],
        "viewer": viewer.user_id,
    }
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text(
                """
                INSERT INTO ideas (id, town_id, author_id, strategy_area_id, title, body, image_alt_texts, lifecycle,
                                   published_at, support_count, comment_count)
                SELECT gen_random_uuid(), town.id,
                       (CAST(:authors AS uuid[]))[1 + n % cardinality(CAST(:authors AS uuid[]))],
                       (SELECT areas.id FROM strategy_areas AS areas WHERE areas.town_id = town.id
                        ORDER BY areas.position, areas.name OFFSET n % 3 LIMIT 1),
                       'Idee Nummer ' || n, 'Beschreibung der Idee ' || n, '{}', 'published',
                       now() - n * interval '1 minute', 0, 0
                FROM generate_series(1, :ideas) AS n, towns AS town WHERE town.slug = 'soest'
                """
            ),
            {**params, "ideas": IDEAS},
        )
        # The viewer supports every other idea of the feed's order (newest first), so every page holds ideas they
        # support; each commenter supports every third.
        await connection.execute(
            text(
                """
                INSERT INTO idea_supports (idea_id, user_id, town_id)
                SELECT ideas.id, supporter, ideas.town_id
                FROM (SELECT ideas.*, row_number() OVER (ORDER BY ideas.published_at DESC, ideas.id DESC) AS n
                      FROM ideas) AS ideas
                CROSS JOIN unnest(CAST(:commenters AS uuid[]) || CAST(:viewer AS uuid)) AS supporter
                WHERE (supporter = CAST(:viewer AS uuid) AND ideas.n % 2 = 0)
                   OR (supporter <> CAST(:viewer AS uuid) AND ideas.n % 3 = 0)
                """
            ),
            params,
        )
        await connection.execute(
            text(
                """
                INSERT INTO comments (id, idea_id, town_id, author_id, body, lifecycle, published_at)
                SELECT gen_random_uuid(), ideas.id, ideas.town_id, commenter, 'Kommentar zu ' || ideas.title,
                       'published', now()
                FROM ideas CROSS JOIN unnest(CAST(:commenters AS uuid[])) WITH ORDINALITY AS c(commenter, ord)
                WHERE ord <= 1 + abs(hashtext(ideas.title)) % 3
                """
            ),
            params,
        )
        await connection.execute(
            text(
                """
                INSERT INTO idea_official_answers (id, idea_id, town_id, status, answer)
                SELECT gen_random_uuid(), ideas.id, ideas.town_id, status, 'Antwort'
                FROM ideas CROSS JOIN unnest(ARRAY['under_review', 'accepted']) AS status
                WHERE abs(hashtext(ideas.title)) % 4 = 0
                """
            )
        )
        await connection.execute(
            text(
                """
                UPDATE ideas SET
                  support_count = (SELECT count(*) FROM idea_supports WHERE idea_id = ideas.id),
                  comment_count = (SELECT count(*) FROM comments WHERE idea_id = ideas.id),
                  official_status = (SELECT status FROM idea_official_answers WHERE idea_id = ideas.id
                                     ORDER BY status DESC LIMIT 1)
                """
            )
        )


@pytest.fixture
async def seeded(runtime: Runtime, oidc_provider: OidcProvider) -> Person:
    """The seeded town; returns the logged-in viewer."""
    people = await many_people(runtime, oidc_provider, ["viewer", *[f"author-{n}" for n in range(5)]])
    commenters = await many_people(runtime, oidc_provider, [f"commenter-{n}" for n in range(5)])
    viewer, authors = people[0], people[1:]
    await _seed(runtime, authors, commenters, viewer)
    assert await count_rows(runtime, "ideas", "lifecycle = 'published'") == IDEAS
    assert await count_rows(runtime, "comments") > IDEAS
    assert await count_rows(runtime, "idea_official_answers") > 0
    return viewer


async def _statements(graphql: GraphQLClient, first: int, headers: dict[str, str] | None) -> int:
    with count_statements() as counter:
        body = await graphql(FEED, {"first": first}, headers=headers)
    assert "errors" not in body, body
    connection = body["data"]["town"]["ideas"]
    assert len(connection["edges"]) == first
    assert connection["pageInfo"]["hasNextPage"] is True
    nodes = [edge["node"] for edge in connection["edges"]]
    assert all(node["author"]["displayName"].startswith("Author-") for node in nodes)
    assert all(node["town"] == {"name": "Soest"} and node["strategyArea"]["name"] for node in nodes)
    assert all(len(node["comments"]) == node["commentCount"] > 0 for node in nodes)
    assert all(comment["author"]["displayName"] for node in nodes for comment in node["comments"])
    supported = [node["viewerHasSupported"] for node in nodes]
    assert any(supported) is (headers is not None)
    if first > 10:
        assert any(node["officialAnswers"] for node in nodes)
        assert not all(supported)
    return counter.count


async def test_feed_page_of_10_and_of_100_cost_the_same_statements_when_logged_in(
    seeded: Person, graphql: GraphQLClient
) -> None:
    small = await _statements(graphql, 10, seeded.headers)
    large = await _statements(graphql, 100, seeded.headers)

    assert small == large == STATEMENTS_LOGGED_IN


async def test_feed_page_of_10_and_of_100_cost_the_same_statements_anonymously(
    seeded: Person, graphql: GraphQLClient
) -> None:
    small = await _statements(graphql, 10, None)
    large = await _statements(graphql, 100, None)

    assert small == large == STATEMENTS_ANONYMOUS


TITLES_ONLY = """
query Feed($first: Int!) { town(slug: "soest") { ideas(first: $first) { edges { node { title } } } } }
"""

# Author and strategy area selected through an inline and a named fragment, under a fragment on the connection.
THROUGH_FRAGMENTS = """
query Feed($first: Int!) { town(slug: "soest") { ideas(first: $first) { ...Page } } }
fragment Page on IdeaConnection { edges { node { title ... on Idea { author { displayName } } ...Area } } }
fragment Area on Idea { strategyArea { name } }
"""


async def _count(graphql: GraphQLClient, query: str, first: int) -> tuple[int, list[dict[str, Any]]]:
    with count_statements() as counter:
        body = await graphql(query, {"first": first})
    assert "errors" not in body, body
    return counter.count, [edge["node"] for edge in body["data"]["town"]["ideas"]["edges"]]


async def test_nothing_is_loaded_for_the_nodes_that_they_do_not_select(seeded: Person, graphql: GraphQLClient) -> None:
    statements, nodes = await _count(graphql, TITLES_ONLY, 100)

    assert len(nodes) == 100
    assert statements == 2  # the town and the page


async def test_fields_selected_through_fragments_are_read_with_the_page(seeded: Person, graphql: GraphQLClient) -> None:
    small, _ = await _count(graphql, THROUGH_FRAGMENTS, 10)
    large, nodes = await _count(graphql, THROUGH_FRAGMENTS, 100)

    assert small == large == 2  # the town, the page with its authors and strategy areas
    assert all(node["author"]["displayName"].startswith("Author-") for node in nodes)
    assert all(node["strategyArea"]["name"] for node in nodes)
