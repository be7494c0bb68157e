"""moderationQueue: held and reported contributions of one town, oldest first, for its moderators only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from mitmachen.runtime import Runtime
from service.db.engine import count_statements
from service.ideas.models import Comment, Idea, Lifecycle, Report, ReportReason
from service.moderation.models import SubjectKind
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import (
    CALLERS,
    MODERATORS_OF_SOEST,
    caller,
    expected_refusal,
    global_id,
    refusal_code,
    town_global_id,
)
from tests.service.moderation import factories
from tests.service.moderation.support import check
from tests.support.oidc_provider import OidcProvider

QUEUE = """
query Queue($townId: ID!, $first: Int! = 20, $after: String, $reason: ModerationReason) {
  moderationQueue(townId: $townId, first: $first, after: $after, reason: $reason) {
    edges {
      cursor
      node {
        subject { __typename ... on Idea { id title } ... on Comment { id body } }
        reasons explanations lifecycle queuedAt heldAt reportCount reportReasons
      }
    }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
ALLOWED = sorted(MODERATORS_OF_SOEST)
REFUSED = [name for name in CALLERS if name not in MODERATORS_OF_SOEST]
START = datetime.now(UTC) - timedelta(hours=3)


async def _backdate(runtime: Runtime, model: type[Idea] | type[Comment], row_id: uuid.UUID, minutes: int) -> None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(
            update(model).where(model.id == row_id).values(held_at=START + timedelta(minutes=minutes))
        )


async def _report_at(runtime: Runtime, minutes: int, **subject: uuid.UUID) -> None:
    reporter = await factories.user(runtime, "Melder")
    await factories.report(runtime, reporter, reason=ReportReason.SPAM, **subject)
    column = Report.idea_id if "idea_id" in subject else Report.comment_id
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(
            update(Report)
            .where(column == next(iter(subject.values())))
            .values(created_at=START + timedelta(minutes=minutes))
        )


async def _soest_queue(runtime: Runtime) -> dict[str, uuid.UUID]:
    """A held idea (held at +10), a reported published idea (+5), a held comment (+20), and what must not show."""
    author = await factories.user(runtime)
    held = await factories.idea_row(runtime, author, title="Der Planer ist ein Vollidiot", body="Sagt ihm das.")
    await check(runtime, held)
    await _backdate(runtime, Idea, held, 10)
    reported = await factories.idea_row(runtime, author, title="Gemeldete Idee", lifecycle=Lifecycle.PUBLISHED)
    await _report_at(runtime, 5, idea_id=reported)
    comment = await factories.comment_row(runtime, reported, author, body="Ruf an: 0171 2345678")
    await check(runtime, comment, SubjectKind.COMMENT)
    await _backdate(runtime, Comment, comment, 20)
    published = await factories.idea_row(runtime, author, title="Ganz normale Idee", body="Ein Trinkbrunnen am Markt.")
    await check(runtime, published)
    in_olpe = await factories.idea_row(runtime, author, slug="olpe", title="Der Planer ist ein Vollidiot")
    await check(runtime, in_olpe)
    return {"held": held, "reported": reported, "comment": comment}


@pytest.mark.parametrize("name", REFUSED)
async def test_others_are_refused(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _soest_queue(runtime)
    headers, _ = await caller(runtime, oidc_provider, name)

    body = await graphql(QUEUE, {"townId": await town_global_id(runtime, "soest")}, headers=headers)

    assert refusal_code(body, "moderationQueue") == expected_refusal(name)


@pytest.mark.parametrize("name", ALLOWED)
async def test_moderators_see_held_and_reported_contributions_oldest_first(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    ids = await _soest_queue(runtime)
    headers, _ = await caller(runtime, oidc_provider, name)

    body = await graphql(QUEUE, {"townId": await town_global_id(runtime, "soest")}, headers=headers)

    nodes = [edge["node"] for edge in body["data"]["moderationQueue"]["edges"]]
    assert [node["subject"]["id"] for node in nodes] == [
        global_id("Idea", ids["reported"]),
        global_id("Idea", ids["held"]),
        global_id("Comment", ids["comment"]),
    ]
    reported, held, comment = nodes
    assert (reported["reasons"], reported["reportCount"], reported["reportReasons"]) == (["REPORTED"], 1, ["SPAM"])
    assert (reported["lifecycle"], reported["heldAt"]) == ("PUBLISHED", None)
    assert (held["reasons"], held["lifecycle"], held["reportCount"]) == (["ABUSIVE_LANGUAGE"], "PENDING", 0)
    assert held["explanations"] == ["Der Text enthält beleidigende oder abwertende Ausdrücke."]
    assert held["heldAt"] == held["queuedAt"]
    assert comment["reasons"] == ["CONTACT_PHONE"]
    assert body["data"]["moderationQueue"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "endCursor": body["data"]["moderationQueue"]["edges"][-1]["cursor"],
    }


async def test_the_queue_pages_with_cursors_and_filters_by_reason(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    ids = await _soest_queue(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    town = await town_global_id(runtime, "soest")

    first = (await graphql(QUEUE, {"townId": town, "first": 2}, headers=headers))["data"]["moderationQueue"]
    rest = await graphql(QUEUE, {"townId": town, "first": 2, "after": first["pageInfo"]["endCursor"]}, headers=headers)
    reported = await graphql(QUEUE, {"townId": town, "reason": "REPORTED"}, headers=headers)
    phones = await graphql(QUEUE, {"townId": town, "reason": "CONTACT_PHONE"}, headers=headers)

    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["subject"]["id"] for edge in rest["data"]["moderationQueue"]["edges"]] == [
        global_id("Comment", ids["comment"])
    ]
    assert rest["data"]["moderationQueue"]["pageInfo"]["hasPreviousPage"] is True
    assert [edge["node"]["subject"]["id"] for edge in reported["data"]["moderationQueue"]["edges"]] == [
        global_id("Idea", ids["reported"])
    ]
    assert [edge["node"]["subject"]["id"] for edge in phones["data"]["moderationQueue"]["edges"]] == [
        global_id("Comment", ids["comment"])
    ]


async def test_a_page_costs_four_statements_whatever_its_size(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _soest_queue(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    town = await town_global_id(runtime, "soest")
    await graphql(QUEUE, {"townId": town}, headers=headers)  # the caller is known now (first sight writes)

    with count_statements() as counter:
        body = await graphql(QUEUE, {"townId": town}, headers=headers)

    assert len(body["data"]["moderationQueue"]["edges"]) == 3
    # viewer lookup (roles), queue entries, ideas, comments
    assert counter.count == 4


@pytest.mark.parametrize(("first", "after"), [(0, None), (101, None), (10, "bm90LWEtY3Vyc29y")])
async def test_bad_paging_arguments_are_refused(
    first: int, after: str | None, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    body = await graphql(
        QUEUE, {"townId": await town_global_id(runtime, "soest"), "first": first, "after": after}, headers=headers
    )

    assert refusal_code(body, "moderationQueue") == "BAD_USER_INPUT"


HISTORY = """
query Queue($townId: ID!) {
  moderationQueue(townId: $townId, first: 50) {
    edges { node {
      subject { ... on Idea { id } }
      authorHistory { published rejected hidden decisions { outcome automated note } }
    } }
  }
}
"""
DECIDE = """
mutation Decide($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) { __typename ... on UserError { code message } }
}
"""


async def test_each_item_shows_the_authors_earlier_decisions_in_the_town(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await factories.user(runtime, "Wiederholte Autorin")
    published = Lifecycle.PUBLISHED
    rejected = await factories.idea_row(runtime, author, title="Zuerst abgelehnt")
    hidden = await factories.idea_row(runtime, author, title="Später verborgen", lifecycle=published)
    kept = await factories.idea_row(runtime, author, title="Veröffentlicht", lifecycle=published)
    await factories.comment_row(runtime, kept, author, lifecycle=published)
    await factories.idea_row(runtime, author, slug="olpe", title="In Olpe verborgen", lifecycle=Lifecycle.HIDDEN)
    await factories.idea_row(runtime, await factories.user(runtime), title="Von jemand anderem", lifecycle=published)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    for subject, decision, reason in ((rejected, "REJECT", "Beleidigend."), (hidden, "HIDE", "Werbung.")):
        variables = {"input": {"subjectId": global_id("Idea", subject), "decision": decision, "reason": reason}}
        decided = await graphql(DECIDE, variables, headers=headers)
        assert decided["data"]["moderateSubmission"]["__typename"] == "SubmissionModerated", decided
    held = await factories.idea_row(runtime, author, title="Der Planer ist ein Vollidiot", body="Sagt ihm das.")
    await check(runtime, held)

    body = await graphql(HISTORY, {"townId": await town_global_id(runtime, "soest")}, headers=headers)

    items = {edge["node"]["subject"].get("id"): edge["node"] for edge in body["data"]["moderationQueue"]["edges"]}
    assert items[global_id("Idea", held)]["authorHistory"] == {
        "published": 2,
        "rejected": 1,
        "hidden": 1,
        "decisions": [
            {"outcome": "HIDE", "automated": False, "note": "Werbung."},
            {"outcome": "REJECT", "automated": False, "note": "Beleidigend."},
        ],
    }
