"""What the tallies count: published contributions only, the same as the live counters the public reads.

Everything goes through the API as people and moderators use it: ideas and comments in every lifecycle state
(pending, held, published, hidden, rejected, withdrawn) and contributions of people who deleted their account.
The staff's report, the open data and the ideas' `commentCount` and `supportCount` must tell the same story.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.tallies.compute import recompute
from tests.conftest import GraphQLClient
from tests.support.ideas import idea_gid, row_id, submit, town_ref
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

MODERATE = """
mutation Moderate($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) { __typename ... on SubmissionModerated { lifecycle } }
}
"""
COMMENT = """
mutation Comment($input: CommentOnIdeaInput!) {
  commentOnIdea(input: $input) { __typename ... on CommentPosted { comment { id } } }
}
"""
SUPPORT = "mutation Support($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
WITHDRAW = "mutation Withdraw($id: ID!) { withdrawIdea(ideaId: $id) { __typename } }"
DELETE = "mutation { deleteMyAccount(confirm: true) { __typename } }"
LIVE = "query Live($id: ID!) { node(id: $id) { ... on Idea { lifecycle commentCount supportCount } } }"
REPORT = """
query Report($town: ID) {
  participationReport(from: "2000-01-01", to: "2002-12-31", period: YEAR, town: $town) {
    figures { metric value people strategyArea { id } ideas(first: 100) { edges { node { id } } } }
  }
}
"""


async def _ok(graphql: GraphQLClient, query: str, variables: dict[str, Any], who: Person, typename: str) -> Any:
    result = await graphql(query, variables, headers=who.headers)
    assert "errors" not in result, result
    data = next(iter(result["data"].values()))
    assert data["__typename"] == typename, result
    return data


async def test_only_published_contributions_count_in_report_open_data_and_live_counters(
    runtime: Runtime, oidc_provider: OidcProvider, graphql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    soest = await town_ref(graphql, "soest")
    moderator = await person(runtime, oidc_provider, "mod", roles_held=((Role.MODERATOR, "soest"),))
    region_staff = await person(runtime, oidc_provider, "region", roles_held=((Role.REGION_STAFF, None),))
    author = await person(runtime, oidc_provider, "author")
    leaving_author = await person(runtime, oidc_provider, "leaving-author")
    commenters = [await person(runtime, oidc_provider, f"commenter-{index}") for index in range(9)]
    supporters = [await person(runtime, oidc_provider, f"supporter-{index}") for index in range(4)]
    leaving_supporter = await person(runtime, oidc_provider, "leaving-supporter")
    hidden_only = await person(runtime, oidc_provider, "only-unpublished")

    async def decide(subject: str, decision: str) -> None:
        variables = {"input": {"subjectId": subject, "decision": decision, "reason": "Entscheidung der Moderation."}}
        await _ok(graphql, MODERATE, variables, moderator, "SubmissionModerated")

    async def comment(who: Person, idea: str, decision: str | None = None) -> str:
        variables = {"input": {"ideaId": idea, "body": "Ein Beitrag zur Idee."}}
        posted = await _ok(graphql, COMMENT, variables, who, "CommentPosted")
        comment_id: str = posted["comment"]["id"]
        if decision is not None:
            await decide(comment_id, decision)
        return comment_id

    async def idea(who: Person, title: str) -> str:
        return await submit(graphql, who, soest, title=title)

    # Ideas in every state.
    published = await idea(author, "Veröffentlichte Idee")
    await decide(published, "PUBLISH")
    pending = await idea(hidden_only, "Wartende Idee")
    held = await idea(hidden_only, "Zurückgehaltene Idee")
    async with runtime.engine.begin() as connection:  # what the automated check does when it holds an idea
        await connection.execute(text("UPDATE ideas SET held_at = now() WHERE id = :id"), {"id": row_id(held)})
    rejected = await idea(hidden_only, "Abgelehnte Idee")
    await decide(rejected, "REJECT")
    hidden = await idea(author, "Verborgene Idee")
    await decide(hidden, "PUBLISH")
    withdrawn = await idea(author, "Zurückgezogene Idee")
    await decide(withdrawn, "PUBLISH")
    of_leaver = await idea(leaving_author, "Idee eines gelöschten Kontos")
    await decide(of_leaver, "PUBLISH")

    # Eight comments on the published idea, three of them published (one by a person who then leaves).
    await comment(commenters[0], published, "PUBLISH")
    await comment(commenters[1], published, "PUBLISH")
    await comment(commenters[2], published, "PUBLISH")  # its author deletes the account below
    await comment(commenters[3], published)  # pending
    held_comment = await comment(commenters[4], published)
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE comments SET held_at = now() WHERE id = :id"), {"id": row_id(held_comment)}
        )
    await comment(commenters[5], published, "REJECT")
    hidden_comment = await comment(commenters[6], published, "PUBLISH")
    await decide(hidden_comment, "HIDE")
    await comment(hidden_only, published, "REJECT")
    # Published comments and supports of ideas that are then hidden or withdrawn.
    for gone in (hidden, withdrawn):
        await comment(commenters[7], gone, "PUBLISH")
        await _ok(graphql, SUPPORT, {"id": gone}, commenters[8], "IdeaSupported")
    await decide(hidden, "HIDE")
    await _ok(graphql, WITHDRAW, {"id": withdrawn}, author, "IdeaWithdrawn")
    for supporter in (*supporters, leaving_supporter):
        await _ok(graphql, SUPPORT, {"id": published}, supporter, "IdeaSupported")
    await _ok(graphql, SUPPORT, {"id": of_leaver}, supporters[0], "IdeaSupported")
    for leaver in (commenters[2], leaving_supporter, leaving_author):
        await _ok(graphql, DELETE, {}, leaver, "AccountDeleted")

    # All of it happened in one year; move it to 2001 so that the report's period is known.
    async with runtime.engine.begin() as connection:
        for table in ("ideas", "comments", "idea_supports"):
            await connection.execute(
                text(f"UPDATE {table} SET created_at = created_at - (date_trunc('year', created_at) - '2001-01-01')")  # noqa: S608
            )
        await connection.execute(
            text("UPDATE ideas SET published_at = created_at + interval '1 hour' WHERE published_at IS NOT NULL")
        )
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await recompute(session)

    live = {}
    for global_id in (published, pending, held, rejected, hidden, withdrawn, of_leaver):
        node = (await graphql(LIVE, {"id": global_id}, headers=moderator.headers))["data"]["node"]
        live[global_id] = node
    public = [global_id for global_id, node in live.items() if node["lifecycle"] == "PUBLISHED"]
    assert sorted(public) == sorted([published, of_leaver])
    assert live[published]["commentCount"] == 3
    assert live[published]["supportCount"] == 4  # the leaving supporter's support went with the account

    expected = {
        "ideas_submitted": 2,
        "ideas_published": 2,
        "comments": sum(live[global_id]["commentCount"] for global_id in public),
        "supports": sum(live[global_id]["supportCount"] for global_id in public),
        # author, leaving author, three commenters (one deleted), four supporters
        "participants": 9,
    }
    assert expected["comments"] == 3
    assert expected["supports"] == 5

    expected_ideas = {
        "ideas_submitted": {published, of_leaver},
        "ideas_published": {published, of_leaver},
        "comments": {published},
        "supports": {published, of_leaver},
    }
    for town in (soest.id, None):
        result = await graphql(REPORT, {"town": town}, headers=region_staff.headers)
        assert "errors" not in result, result
        figures = result["data"]["participationReport"]["figures"]
        totals = {figure["metric"].lower(): figure for figure in figures if figure["strategyArea"] is None}
        assert {metric: int(figure["value"]) for metric, figure in totals.items()} == expected, town
        for metric, ideas in expected_ideas.items():
            traced = {idea_gid(row_id(edge["node"]["id"])) for edge in totals[metric]["ideas"]["edges"]}
            assert traced == ideas, metric
        by_area = {figure["metric"].lower(): int(figure["value"]) for figure in figures if figure["strategyArea"]}
        assert by_area == (expected if town else {}), "one area only: the same figures"

    for scope in ("soest", "suedwestfalen"):
        records = (await client.get(f"/open-data/{scope}.json")).json()
        years = {
            record["metric"]: record["value"]
            for record in records
            if record["period"] == "year" and record["period_start"] == "2001-01-01" and not record["strategy_area"]
        }
        assert years == expected, scope
