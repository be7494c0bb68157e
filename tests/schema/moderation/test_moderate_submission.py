"""moderateSubmission: moderators of the contribution's town decide, with a reason; every decision is reversible."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.ideas.models import Lifecycle, Report
from service.moderation.models import SubjectKind
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import (
    CALLERS,
    MODERATORS_OF_SOEST,
    caller,
    expected_refusal,
    footprint,
    global_id,
    refusal_code,
)
from tests.service.moderation import factories
from tests.service.moderation.support import audit_entries, check, notifications
from tests.support.oidc_provider import OidcProvider

MODERATE = """
mutation Moderate($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) {
    __typename
    ... on SubmissionModerated {
      decision lifecycle
      subject { __typename ... on Idea { id lifecycle commentCount } ... on Comment { id lifecycle } }
    }
    ... on UserError { code field message }
  }
}
"""
ALLOWED = sorted(MODERATORS_OF_SOEST)
REFUSED = [name for name in CALLERS if name not in MODERATORS_OF_SOEST]
REASON = "Sachlich, verstößt nicht gegen die Regeln."


async def _held_idea(runtime: Runtime, slug: str = "soest") -> tuple[uuid.UUID, uuid.UUID]:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, slug=slug, title="Der Planer ist ein Vollidiot", body="So.")
    await check(runtime, idea_id)
    return author, idea_id


def _input(type_name: str, subject_id: uuid.UUID, decision: str, reason: str = REASON) -> dict[str, object]:
    return {"input": {"subjectId": global_id(type_name, subject_id), "decision": decision, "reason": reason}}


@pytest.mark.parametrize("name", REFUSED)
async def test_others_are_refused_and_nothing_changes(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    _, idea_id = await _held_idea(runtime)
    headers, _ = await caller(runtime, oidc_provider, name)
    before = await footprint(runtime)

    body = await graphql(MODERATE, _input("Idea", idea_id, "PUBLISH"), headers=headers)

    assert refusal_code(body, "moderateSubmission") == expected_refusal(name)
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.PENDING.value
    assert await footprint(runtime) == before


async def test_a_moderator_of_soest_is_refused_in_olpe(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    _, in_olpe = await _held_idea(runtime, "olpe")
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    before = await footprint(runtime)

    body = await graphql(MODERATE, _input("Idea", in_olpe, "PUBLISH"), headers=headers)

    assert refusal_code(body, "moderateSubmission") == "FORBIDDEN"
    assert (await factories.load_idea(runtime, in_olpe)).lifecycle == Lifecycle.PENDING.value
    assert await footprint(runtime) == before


@pytest.mark.parametrize("name", ALLOWED)
async def test_publishing_a_held_idea_is_audited_and_the_author_told(
    name: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author, idea_id = await _held_idea(runtime)
    headers, caller_id = await caller(runtime, oidc_provider, name)

    body = await graphql(MODERATE, _input("Idea", idea_id, "PUBLISH"), headers=headers)

    assert body["data"]["moderateSubmission"] == {
        "__typename": "SubmissionModerated",
        "decision": "PUBLISH",
        "lifecycle": "PUBLISHED",
        "subject": {
            "__typename": "Idea",
            "id": global_id("Idea", idea_id),
            "lifecycle": "PUBLISHED",
            "commentCount": 0,
        },
    }
    idea = await factories.load_idea(runtime, idea_id)
    assert idea.published_at is not None
    held, published = await audit_entries(runtime, idea_id)
    assert (held.action, held.actor_id) == ("moderation.held", None)
    assert (published.action, published.actor_id, published.reason) == ("moderation.published", caller_id, REASON)
    assert published.before == {"lifecycle": "pending", "reasons": ["abusive_language"]}
    assert published.after == {"lifecycle": "published", "reasons": ["abusive_language"], "resolved_reports": 0}
    notice = (await notifications(runtime, author))[-1]
    assert notice.kind == "moderation.publish"
    assert REASON in notice.body


async def test_hide_then_restore_resolves_reports_and_keeps_the_comment_count_exact(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    comment_id = await factories.comment_row(runtime, idea_id, await factories.user(runtime, "Kim"))
    await check(runtime, comment_id, SubjectKind.COMMENT)
    for number in range(2):
        await factories.report(runtime, await factories.user(runtime, f"Melder {number}"), comment_id=comment_id)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    hidden = await graphql(MODERATE, _input("Comment", comment_id, "HIDE", "Beleidigend."), headers=headers)
    count_while_hidden = (await factories.load_idea(runtime, idea_id)).comment_count
    restored = await graphql(MODERATE, _input("Comment", comment_id, "RESTORE", "Doch in Ordnung."), headers=headers)

    assert hidden["data"]["moderateSubmission"]["lifecycle"] == "HIDDEN"
    assert restored["data"]["moderateSubmission"]["lifecycle"] == "PUBLISHED"
    assert count_while_hidden == 0
    assert (await factories.load_idea(runtime, idea_id)).comment_count == 1
    async with runtime.unit_of_work() as uow, uow.session() as session:
        open_reports = (await session.scalars(select(Report).where(Report.resolved_at.is_(None)))).all()
    assert open_reports == []
    actions = [entry.action for entry in await audit_entries(runtime, comment_id)]
    assert actions == ["moderation.published", "moderation.hidden", "moderation.restored"]
    hide_entry = (await audit_entries(runtime, comment_id))[1]
    assert hide_entry.after == {"lifecycle": "hidden", "reasons": [], "resolved_reports": 2}


async def test_reject_then_restore(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> None:
    _, idea_id = await _held_idea(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    rejected = await graphql(MODERATE, _input("Idea", idea_id, "REJECT", "Beleidigung."), headers=headers)
    restored = await graphql(MODERATE, _input("Idea", idea_id, "RESTORE", "Im Kontext zulässig."), headers=headers)

    assert rejected["data"]["moderateSubmission"]["lifecycle"] == "REJECTED"
    assert restored["data"]["moderateSubmission"]["lifecycle"] == "PUBLISHED"
    actions = [entry.action for entry in await audit_entries(runtime, idea_id)]
    assert actions == ["moderation.held", "moderation.rejected", "moderation.restored"]


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("HIDE", "Der Beitrag ist noch in Prüfung und kann nicht ausgeblendet werden."),
        ("RESTORE", "Der Beitrag ist noch in Prüfung und kann nicht wiederhergestellt werden."),
    ],
)
async def test_a_decision_that_does_not_fit_the_state_is_invalid_input(
    decision: str, message: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    _, idea_id = await _held_idea(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    before = await footprint(runtime)

    body = await graphql(MODERATE, _input("Idea", idea_id, decision), headers=headers)

    result = body["data"]["moderateSubmission"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "InvalidInput",
        "DECISION_NOT_APPLICABLE",
        "decision",
    )
    assert result["message"] == message
    assert await footprint(runtime) == before


async def test_a_reason_is_required(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> None:
    _, idea_id = await _held_idea(runtime)
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    body = await graphql(MODERATE, _input("Idea", idea_id, "PUBLISH", "   "), headers=headers)

    result = body["data"]["moderateSubmission"]
    assert (result["code"], result["field"]) == ("MODERATION_REASON_LENGTH", "reason")
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.PENDING.value


@pytest.mark.parametrize(
    ("subject_id", "expected"),
    [
        (global_id("Idea", uuid.uuid4()), ("NotFound", "UNKNOWN_IDEA")),
        (global_id("Comment", uuid.uuid4()), ("NotFound", "UNKNOWN_COMMENT")),
        (global_id("Town", uuid.uuid4()), ("InvalidInput", "INVALID_INPUT")),
        ("not-an-id", ("InvalidInput", "INVALID_INPUT")),
    ],
    ids=["unknown idea", "unknown comment", "a town id", "garbage"],
)
async def test_unknown_or_malformed_subjects(
    subject_id: str, expected: tuple[str, str], graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    headers, _ = await caller(runtime, oidc_provider, "moderator of Soest")

    body = await graphql(
        MODERATE, {"input": {"subjectId": subject_id, "decision": "PUBLISH", "reason": REASON}}, headers=headers
    )

    result = body["data"]["moderateSubmission"]
    assert (result["__typename"], result["code"], result["field"]) == (*expected, "subjectId")
