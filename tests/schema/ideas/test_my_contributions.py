"""`me.ideas` and `me.comments`: one's own contributions in every lifecycle state, newest first, paged, with their
moderation status; nobody else's."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.ideas.models import Lifecycle
from tests.conftest import GraphQLClient
from tests.support.ideas import STATES, codes, insert_comment_directly, insert_idea_directly, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

NODES = {
    "ideas": "id title lifecycle moderation { status reasons }",
    "comments": "id body lifecycle moderation { status reasons }",
}


def _mine(field: str) -> str:
    return f"""
query Mine($first: Int!, $after: String) {{
  me {{
    {field}(first: $first, after: $after) {{
      edges {{ cursor node {{ {NODES[field]} }} }}
      pageInfo {{ hasNextPage hasPreviousPage endCursor }}
    }}
  }}
}}
"""


async def _stamp(runtime: Runtime, table: str, row: uuid.UUID, minutes_ago: int, *, held: bool) -> None:
    """Creation time (two rows share one, to test the tie-break) and, for held ones, the hold and its reason."""
    hold = ", held_at = now(), moderation_reasons = '{CONTACT_DATA}'" if held else ""
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE {table} SET created_at = now() - make_interval(mins => :ago){hold} WHERE id = :id"),  # noqa: S608
            {"ago": minutes_ago, "id": row},
        )


async def _contributions(runtime: Runtime, author: Person, host_idea: uuid.UUID) -> None:
    """Ideas and comments of `author` in every state, ten minutes apart; the held ones share the newest time with
    the pending ones, so that equal times are ordered by id."""
    for index, (name, lifecycle, held) in enumerate(STATES):
        minutes_ago = 0 if held else 10 * index
        idea = await insert_idea_directly(
            runtime, author_id=author.user_id, town="soest", title=f"Idee {name}", lifecycle=lifecycle
        )
        await _stamp(runtime, "ideas", idea, minutes_ago, held=held)
        comment = await insert_comment_directly(
            runtime, idea_id=host_idea, author_id=author.user_id, body=f"Kommentar {name}", lifecycle=lifecycle
        )
        await _stamp(runtime, "comments", comment, minutes_ago, held=held)


async def _all_pages(graphql: GraphQLClient, someone: Person, field: str, first: int) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    for page_number in range(20):
        result = await graphql(_mine(field), {"first": first, "after": after}, headers=someone.headers)
        assert "errors" not in result, result
        page = result["data"]["me"][field]
        assert page["pageInfo"]["hasPreviousPage"] is (page_number > 0)
        assert len(page["edges"]) <= first
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        assert len(page["edges"]) == first
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


async def _created_order(runtime: Runtime, table: str, author: Person) -> list[str]:
    async with runtime.engine.connect() as connection:
        rows = await connection.scalars(
            text(f"SELECT id::text FROM {table} WHERE author_id = :me ORDER BY created_at DESC, id DESC"),  # noqa: S608
            {"me": author.user_id},
        )
        return list(rows)


async def test_authors_list_their_ideas_and_comments_in_every_state_newest_first(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    host = await insert_idea_directly(runtime, author_id=omar.user_id, town="soest", title="Omars Idee")
    await insert_idea_directly(
        runtime, author_id=omar.user_id, town="olpe", title="Omars zweite", lifecycle=Lifecycle.PENDING
    )
    await insert_comment_directly(runtime, idea_id=host, author_id=omar.user_id, body="Omars Kommentar")
    await _contributions(runtime, clara, host)

    expected_ideas = await _created_order(runtime, "ideas", clara)
    expected_comments = await _created_order(runtime, "comments", clara)
    assert len(expected_ideas) == len(expected_comments) == len(STATES)
    for first in (1, 4, 100):
        ideas = await _all_pages(graphql, clara, "ideas", first)
        comments = await _all_pages(graphql, clara, "comments", first)
        assert [row_id(node["id"]) for node in ideas] == [uuid.UUID(found) for found in expected_ideas], first
        assert [row_id(node["id"]) for node in comments] == [uuid.UUID(found) for found in expected_comments], first

    ideas = await _all_pages(graphql, clara, "ideas", 100)
    comments = await _all_pages(graphql, clara, "comments", 100)
    assert sorted(node["title"] for node in ideas) == sorted(f"Idee {name}" for name, _, _ in STATES)
    assert sorted(node["body"] for node in comments) == sorted(f"Kommentar {name}" for name, _, _ in STATES)
    for node in ideas + comments:
        assert node["moderation"]["status"] == node["lifecycle"]
    states = {node.get("title") or node.get("body"): node["lifecycle"] for node in ideas + comments}
    for name, lifecycle, _ in STATES:
        assert states[f"Idee {name}"] == states[f"Kommentar {name}"] == lifecycle.value.upper()

    # Omar sees his own only, published or not; nobody else's.
    omars = await _all_pages(graphql, omar, "ideas", 100)
    assert sorted(node["title"] for node in omars) == ["Omars Idee", "Omars zweite"]
    assert [node["body"] for node in await _all_pages(graphql, omar, "comments", 100)] == ["Omars Kommentar"]


async def test_paging_arguments_are_checked_and_anonymous_callers_have_no_me(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    for field in NODES:
        assert (await graphql(_mine(field), {"first": 5}))["data"]["me"] is None
        for variables in ({"first": 101}, {"first": 0}, {"first": 5, "after": "nonsense"}):
            result = await graphql(_mine(field), variables, headers=clara.headers)
            assert "BAD_USER_INPUT" in codes(result["errors"]), (variables, result)
