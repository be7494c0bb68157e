"""What the queue shows moderators of reports (reason, words, time; never who) with a count in the right number,
and what a near-duplicate's author is told: the public idea it resembles, or, for comments, comment wording."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLObjectType
from sqlalchemy import text as sql

from mitmachen.runtime import Runtime
from schema.root import build_schema
from service.ideas.models import Lifecycle, ReportReason
from service.moderation.models import ModerationPolicy, SubjectKind
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import caller, global_id, town_global_id
from tests.service.moderation import factories
from tests.service.moderation.support import check, hide, notifications
from tests.support.ideas import set_lifecycle_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person

QUEUE = """
query Queue($townId: ID!) {
  moderationQueue(townId: $townId) {
    edges { node { reportCount explanations reports { reason text createdAt } } }
  }
}
"""
MODERATION = "moderation { reasons explanations similarIdea { id title } }"
IDEA = f"query Idea($id: ID!) {{ node(id: $id) {{ ... on Idea {{ {MODERATION} }} }} }}"
COMMENT = f"query Comment($id: ID!) {{ node(id: $id) {{ ... on Comment {{ {MODERATION} }} }} }}"
ORIGINAL = "Ein Trinkwasserbrunnen auf dem Marktplatz in Soest"
BODY = "Im Sommer ist es auf dem Marktplatz sehr heiß, ein Brunnen mit Trinkwasser wäre eine große Hilfe."


async def _reported(runtime: Runtime, texts: list[str]) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    reasons = [ReportReason.SPAM, ReportReason.OFFENSIVE, ReportReason.PERSONAL_DATA]
    for number, text in enumerate(texts):
        reporter = await factories.user(runtime, f"Melderin {number}")
        await factories.report(runtime, reporter, idea_id=idea_id, reason=reasons[number % 3])
        async with runtime.engine.begin() as connection:
            await connection.execute(
                sql("UPDATE reports SET text = :text WHERE reporter_id = :reporter"),
                {"text": text, "reporter": reporter},
            )


async def _queue(graphql: GraphQLClient, runtime: Runtime, headers: dict[str, str]) -> list[dict[str, Any]]:
    body = await graphql(QUEUE, {"townId": await town_global_id(runtime, "soest")}, headers=headers)
    return [edge["node"] for edge in body["data"]["moderationQueue"]["edges"]]


@pytest.mark.parametrize(
    ("texts", "explanation"),
    [
        (["Das ist Werbung für seinen Laden."], "Der Beitrag wurde einmal gemeldet."),
        (["Werbung.", "", "Da steht die Adresse meiner Nachbarin."], "Der Beitrag wurde von 3 Personen gemeldet."),
    ],
    ids=["one report", "three reports"],
)
async def test_moderators_read_each_reports_reason_and_words_and_the_count_in_words(
    texts: list[str], explanation: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    await _reported(runtime, texts)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    [item] = await _queue(graphql, runtime, headers)

    assert item["reportCount"] == len(texts)
    assert item["explanations"] == [explanation]
    assert [(report["reason"], report["text"]) for report in item["reports"]] == [
        (reason, text) for reason, text in zip(["SPAM", "OFFENSIVE", "PERSONAL_DATA"], texts, strict=False)
    ]
    assert all(report["createdAt"] for report in item["reports"])


def test_a_report_as_moderators_read_it_names_nobody() -> None:
    report = build_schema()._schema.get_type("ModerationReport")
    assert isinstance(report, GraphQLObjectType)
    assert set(report.fields) == {"reason", "text", "createdAt"}


async def test_an_item_hidden_by_one_report_does_not_say_reported_many_times(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    await factories.policy(runtime, "soest", ModerationPolicy.RISK_BASED, report_threshold=1)
    idea_id = await factories.idea_row(runtime, author.user_id, lifecycle=Lifecycle.PUBLISHED)
    await factories.report(runtime, await factories.user(runtime, "Melder"), idea_id=idea_id)
    assert await hide(runtime, idea_id)

    seen = (await graphql(IDEA, {"id": global_id("Idea", idea_id)}, headers=author.headers))["data"]["node"]
    notice = (await notifications(runtime, author.user_id))[-1]

    assert seen["moderation"]["explanations"] == ["Der Beitrag wurde gemeldet."]
    assert "mehrfach" not in notice.body


@pytest.mark.parametrize("public", [True, False], ids=["original public", "original not public"])
async def test_a_near_duplicate_names_the_idea_it_resembles_while_that_one_is_public(
    public: bool, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    first = await factories.user(runtime, "Erste")
    author = await person(runtime, oidc_provider, "autorin")
    original = await factories.idea_row(runtime, first, title=ORIGINAL, body=BODY, lifecycle=Lifecycle.PUBLISHED)
    if not public:
        await set_lifecycle_directly(runtime, original, Lifecycle.PENDING)
    copy = await factories.idea_row(runtime, author.user_id, title=ORIGINAL + "!", body=BODY)
    await check(runtime, copy)

    seen = (await graphql(IDEA, {"id": global_id("Idea", copy)}, headers=author.headers))["data"]["node"]
    notice = (await notifications(runtime, author.user_id))[-1]

    assert seen["moderation"]["reasons"] == ["NEAR_DUPLICATE"]
    if public:
        assert seen["moderation"]["similarIdea"] == {"id": global_id("Idea", original), "title": ORIGINAL}
        assert f"„{ORIGINAL}“" in seen["moderation"]["explanations"][0]
        assert "unterstützen" in seen["moderation"]["explanations"][0]
        assert f"„{ORIGINAL}“" in notice.body
    else:
        assert seen["moderation"]["similarIdea"] is None
        assert seen["moderation"]["explanations"] == ["Eine sehr ähnliche Idee gibt es in dieser Stadt bereits."]
        assert ORIGINAL not in notice.body.replace(f"„{ORIGINAL}!“", "")


async def test_a_near_duplicate_that_is_hidden_later_is_no_longer_named(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    first = await factories.user(runtime, "Erste")
    author = await person(runtime, oidc_provider, "autorin")
    original = await factories.idea_row(runtime, first, title=ORIGINAL, body=BODY, lifecycle=Lifecycle.PUBLISHED)
    copy = await factories.idea_row(runtime, author.user_id, title=ORIGINAL + "!", body=BODY)
    await check(runtime, copy)
    await set_lifecycle_directly(runtime, original, Lifecycle.HIDDEN)

    seen = (await graphql(IDEA, {"id": global_id("Idea", copy)}, headers=author.headers))["data"]["node"]

    assert seen["moderation"]["similarIdea"] is None
    assert ORIGINAL not in " ".join(seen["moderation"]["explanations"])


async def test_a_repeated_comment_is_explained_as_a_comment(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    idea_id = await factories.idea_row(runtime, await factories.user(runtime, "Ida"), lifecycle=Lifecycle.PUBLISHED)
    text = "Ich finde, der Brunnen sollte direkt neben der Bushaltestelle am Markt stehen."
    await factories.comment_row(runtime, idea_id, author.user_id, body=text, lifecycle=Lifecycle.PUBLISHED)
    again = await factories.comment_row(runtime, idea_id, author.user_id, body=text + "!")
    await check(runtime, again, SubjectKind.COMMENT)

    seen = (await graphql(COMMENT, {"id": global_id("Comment", again)}, headers=author.headers))["data"]["node"]
    notice = (await notifications(runtime, author.user_id))[-1]

    assert seen["moderation"]["reasons"] == ["NEAR_DUPLICATE"]
    assert seen["moderation"]["explanations"] == [
        "Einen sehr ähnlichen Kommentar hat dieselbe Person hier vor Kurzem schon geschrieben."
    ]
    assert seen["moderation"]["similarIdea"] is None
    assert "Idee" not in notice.body.split("Gründe:")[1].split("\n\n")[0]
