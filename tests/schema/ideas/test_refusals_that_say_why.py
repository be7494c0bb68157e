"""Refusals name the real reason: replies to comments not (or no longer) public, reports of one's own contribution."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.schema.ideas.test_comments_reports_answers import COMMENT_ON_IDEA, REPORT_CONTENT
from tests.support.ideas import count_rows, publish_comment_directly, publish_directly, row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person


async def _idea_with_comment(
    runtime: Runtime, graphql: GraphQLClient, author: Person, commenter: Person
) -> tuple[str, str]:
    idea_id = await submit(graphql, author, await town_ref(graphql, "soest"))
    await publish_directly(runtime, idea_id)
    posted = await graphql(
        COMMENT_ON_IDEA, {"input": {"ideaId": idea_id, "body": "Wo genau?"}}, headers=commenter.headers
    )
    comment_id: str = posted["data"]["commentOnIdea"]["comment"]["id"]
    await runtime.redis.flushdb()
    return idea_id, comment_id


async def _set_comment(runtime: Runtime, comment_id: str, lifecycle: str) -> None:
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE comments SET lifecycle = :lifecycle WHERE id = :id"),
            {"lifecycle": lifecycle, "id": row_id(comment_id)},
        )


@pytest.mark.parametrize("who", ["its author", "someone else"])
async def test_a_reply_to_a_comment_in_moderation_says_it_is_not_published_yet(
    who: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id, pending = await _idea_with_comment(runtime, graphql, clara, omar)
    replier = omar if who == "its author" else clara

    body = await graphql(
        COMMENT_ON_IDEA,
        {"input": {"ideaId": idea_id, "body": "Am Markt.", "replyTo": pending}},
        headers=replier.headers,
    )

    result = body["data"]["commentOnIdea"]
    assert (result["code"], result["field"]) == ("COMMENT_NOT_PUBLISHED", "replyTo")
    assert "noch nicht veröffentlicht" in result["message"]
    assert await count_rows(runtime, "comments") == 1
    assert await runtime.redis.zcard("arq:queue") == 0


@pytest.mark.parametrize("lifecycle", ["hidden", "rejected", "withdrawn"])
async def test_a_reply_to_a_comment_that_is_not_public_is_refused(
    lifecycle: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id, comment = await _idea_with_comment(runtime, graphql, clara, omar)
    await _set_comment(runtime, comment, lifecycle)
    reply = {"input": {"ideaId": idea_id, "body": "Am Markt.", "replyTo": comment}}

    by_author = await graphql(COMMENT_ON_IDEA, reply, headers=omar.headers)
    by_other = await graphql(COMMENT_ON_IDEA, reply, headers=clara.headers)

    assert by_author["data"]["commentOnIdea"]["code"] == "COMMENT_NOT_OPEN"
    # Whoever cannot see it learns nothing about it.
    assert by_other["data"]["commentOnIdea"]["code"] == "UNKNOWN_COMMENT"
    assert await count_rows(runtime, "comments") == 1


async def test_a_reply_to_a_published_comment_is_still_accepted(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id, comment = await _idea_with_comment(runtime, graphql, clara, omar)
    await publish_comment_directly(runtime, comment)

    body = await graphql(
        COMMENT_ON_IDEA, {"input": {"ideaId": idea_id, "body": "Am Markt.", "replyTo": comment}}, headers=clara.headers
    )

    assert body["data"]["commentOnIdea"]["__typename"] == "CommentPosted"


@pytest.mark.parametrize("kind", ["idea", "comment"])
async def test_reporting_ones_own_contribution_is_refused(
    kind: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id, comment = await _idea_with_comment(runtime, graphql, clara, omar)
    await publish_comment_directly(runtime, comment)
    subject, author, field = (idea_id, clara, "ideaId") if kind == "idea" else (comment, omar, "commentId")

    own = await graphql(REPORT_CONTENT, {"input": {field: subject, "reason": "SPAM"}}, headers=author.headers)

    result = own["data"]["reportContent"]
    assert (result["code"], result["field"]) == ("OWN_CONTRIBUTION", field)
    assert "Eigene Beiträge" in result["message"]
    assert await count_rows(runtime, "reports") == 0
    assert await runtime.redis.zcard("arq:queue") == 0
