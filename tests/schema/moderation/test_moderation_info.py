"""`moderation` on Idea and Comment: the author and the town's moderators see why; everyone else reads null."""

from __future__ import annotations

from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.config import Settings
from service.db.engine import count_statements
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import CALLERS, MODERATORS_OF_SOEST, caller, town_global_id
from tests.support.ideas import submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from workers.settings import create_worker

MODERATION = "moderation { status outcome automated reasons explanations note decidedAt }"
IDEA = f"query Idea($id: ID!) {{ node(id: $id) {{ ... on Idea {{ lifecycle {MODERATION} }} }} }}"
COMMENT = f"query Comment($id: ID!) {{ node(id: $id) {{ ... on Comment {{ lifecycle {MODERATION} }} }} }}"
DECIDE = """
mutation Decide($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) { __typename }
}
"""
COMMENT_ON = """
mutation Comment($input: CommentOnIdeaInput!) {
  commentOnIdea(input: $input) { __typename ... on CommentPosted { comment { id } } }
}
"""
QUEUE = f"""
query Queue($townId: ID!) {{
  moderationQueue(townId: $townId, first: 50) {{
    edges {{ node {{ subject {{ ... on Idea {{ {MODERATION} }} }} }} }}
  }}
}}
"""
HELD = {
    "status": "PENDING",
    "outcome": "HOLD",
    "automated": True,
    "reasons": ["ABUSIVE_LANGUAGE"],
    "explanations": ["Der Text enthält beleidigende oder abwertende Ausdrücke."],
    "note": "",
}
ENTITLED = MODERATORS_OF_SOEST


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()


def _without_time(found: dict[str, Any] | None) -> dict[str, Any] | None:
    if found is None:
        return None
    assert found.pop("decidedAt") is not None
    return found


async def _held_idea(graphql: GraphQLClient, settings: Settings, runtime: Runtime, author: Person) -> str:
    town = await town_ref(graphql, "soest")
    idea_id = await submit(graphql, author, town, title="Der Planer ist ein Vollidiot")
    await _run_worker(settings, runtime)
    return idea_id


async def test_the_author_sees_why_the_idea_is_held(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin", name="Anna Autorin")
    idea_id = await _held_idea(graphql, settings, runtime, author)

    body = await graphql(IDEA, {"id": idea_id}, headers=author.headers)

    assert body["data"]["node"]["lifecycle"] == "PENDING"
    assert _without_time(body["data"]["node"]["moderation"]) == HELD


@pytest.mark.parametrize("name", list(CALLERS))
async def test_after_a_moderator_publishes_it_only_the_author_and_the_towns_moderators_see_why(
    name: str, graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin", name="Anna Autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea_id = await _held_idea(graphql, settings, runtime, author)
    decided = await graphql(
        DECIDE,
        {"input": {"subjectId": idea_id, "decision": "PUBLISH", "reason": "Zugespitzt, aber noch sachlich."}},
        headers=moderator,
    )
    assert decided["data"]["moderateSubmission"]["__typename"] == "SubmissionModerated"
    headers, _ = await caller(runtime, oidc_provider, name)

    seen = (await graphql(IDEA, {"id": idea_id}, headers=headers))["data"]["node"]
    by_author = (await graphql(IDEA, {"id": idea_id}, headers=author.headers))["data"]["node"]

    expected = {
        "status": "PUBLISHED",
        "outcome": "PUBLISH",
        "automated": False,
        "reasons": [],
        "explanations": [],
        "note": "Zugespitzt, aber noch sachlich.",
    }
    assert seen["lifecycle"] == "PUBLISHED", "the idea itself is public now"
    assert _without_time(seen["moderation"]) == (expected if name in ENTITLED else None)
    assert _without_time(by_author["moderation"]) == expected


async def test_a_comments_author_and_the_towns_moderators_see_why_it_is_held(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    idea_author = await person(runtime, oidc_provider, "ideengeberin")
    commenter = await person(runtime, oidc_provider, "kommentator")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    other_moderator, _ = await caller(runtime, oidc_provider, "moderator of Olpe")
    idea_id = await submit(graphql, idea_author, await town_ref(graphql, "soest"), title="Trinkbrunnen am Markt")
    await _run_worker(settings, runtime)
    posted = await graphql(
        COMMENT_ON, {"input": {"ideaId": idea_id, "body": "So ein Blödsinn, ihr Trottel."}}, headers=commenter.headers
    )
    comment_id = posted["data"]["commentOnIdea"]["comment"]["id"]
    await _run_worker(settings, runtime)

    def moderation(body: dict[str, Any]) -> dict[str, Any] | None:
        node = body["data"]["node"]
        return _without_time(node["moderation"]) if node else None

    held = {**HELD}
    assert moderation(await graphql(COMMENT, {"id": comment_id}, headers=commenter.headers)) == held
    assert moderation(await graphql(COMMENT, {"id": comment_id}, headers=moderator)) == held
    assert moderation(await graphql(COMMENT, {"id": comment_id}, headers=idea_author.headers)) is None
    assert moderation(await graphql(COMMENT, {"id": comment_id}, headers=other_moderator)) is None
    assert moderation(await graphql(COMMENT, {"id": comment_id})) is None


async def test_the_reasons_of_many_contributions_cost_one_statement(
    graphql: GraphQLClient, settings: Settings, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    town = await town_ref(graphql, "soest")
    soest = await town_global_id(runtime, "soest")
    authors = [await person(runtime, oidc_provider, f"autor-{number}") for number in range(6)]

    async def statements() -> tuple[int, int]:
        with count_statements() as counter:
            body = await graphql(QUEUE, {"townId": soest}, headers=moderator)
        items = [edge["node"]["subject"]["moderation"] for edge in body["data"]["moderationQueue"]["edges"]]
        assert all(item["outcome"] == "HOLD" for item in items), body
        return len(items), counter.count

    await submit(graphql, authors[0], town, title="Der Planer ist ein Vollidiot")
    await _run_worker(settings, runtime)
    one = await statements()
    for author in authors[1:]:
        await submit(graphql, author, town, title=f"Der Planer ist ein Vollidiot, sagt {author.user_id}")
    await _run_worker(settings, runtime)
    many = await statements()

    assert (one[0], many[0]) == (1, 6)
    assert one[1] == many[1], "the decisions are loaded in one batch, however many contributions are shown"
