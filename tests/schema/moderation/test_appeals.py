"""appealDecision: the author of a rejected or hidden contribution asks for a second look, once per decision; the
appeal is audited, waits in the town's queue and is decided by a moderator there (reversed or upheld), and the
author is told. The e-mails about such decisions say how to appeal instead of asking for a reply."""

from __future__ import annotations

from typing import Any

import pytest

from mitmachen.runtime import Runtime
from service.ideas.models import Lifecycle
from service.moderation.models import Outcome, SubjectKind
from service.moderation.notices import tell_author
from service.moderation.subjects import load_subject
from service.privacy.document import build_document
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import caller, footprint, global_id, town_global_id
from tests.service.moderation import factories
from tests.service.moderation.support import audit_entries, check, notifications
from tests.support.ideas import row_id, set_lifecycle_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

APPEAL = """
mutation Appeal($input: AppealDecisionInput!) {
  appealDecision(input: $input) {
    __typename
    ... on DecisionAppealed { appeal { id text resolution } subject { ... on Idea { id lifecycle } } }
    ... on UserError { code field message }
  }
}
"""
MODERATE = """
mutation Moderate($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) {
    __typename
    ... on SubmissionModerated { lifecycle }
    ... on UserError { code field message }
  }
}
"""
QUEUE = """
query Queue($townId: ID!, $reason: ModerationReason) {
  moderationQueue(townId: $townId, reason: $reason) {
    edges { node {
      subject { ... on Idea { id } ... on Comment { id } }
      reasons explanations lifecycle appealedAt queuedAt
      appeal { text resolution }
    } }
  }
}
"""
WHY = "Das war Satire über den Planer, keine Beleidigung."


async def _rejected_idea(runtime: Runtime, graphql: GraphQLClient, author: Person, moderator: dict[str, str]) -> str:
    idea_id = await factories.idea_row(runtime, author.user_id, title="Der Planer ist ein Vollidiot", body="So.")
    await check(runtime, idea_id)
    idea = global_id("Idea", idea_id)
    await _decide(graphql, moderator, idea, "REJECT", "Beleidigung.")
    return idea


async def _decide(graphql: GraphQLClient, headers: dict[str, str], subject: str, decision: str, reason: str) -> Any:
    body = await graphql(
        MODERATE, {"input": {"subjectId": subject, "decision": decision, "reason": reason}}, headers=headers
    )
    return body["data"]["moderateSubmission"]


async def _appeal(graphql: GraphQLClient, who: Person, subject: str, text: str = WHY) -> Any:
    body = await graphql(APPEAL, {"input": {"subjectId": subject, "text": text}}, headers=who.headers)
    assert "errors" not in body, body
    return body["data"]["appealDecision"]


async def _queue(graphql: GraphQLClient, runtime: Runtime, headers: dict[str, str], **variables: Any) -> list[Any]:
    body = await graphql(QUEUE, {"townId": await town_global_id(runtime, "soest"), **variables}, headers=headers)
    return [edge["node"] for edge in body["data"]["moderationQueue"]["edges"]]


async def test_the_author_appeals_once_it_is_audited_and_waits_in_the_queue(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)

    appealed = await _appeal(graphql, author, idea)
    before_second = await footprint(runtime)
    again = await _appeal(graphql, author, idea, "Noch einmal!")

    assert appealed["__typename"] == "DecisionAppealed"
    assert (appealed["appeal"]["text"], appealed["appeal"]["resolution"]) == (WHY, None)
    assert appealed["subject"] == {"id": idea, "lifecycle": "REJECTED"}
    assert (again["code"], again["field"]) == ("ALREADY_APPEALED", "subjectId")
    assert await footprint(runtime) == before_second
    entry = (await audit_entries(runtime, row_id(idea)))[-1]
    assert (entry.action, entry.actor_id) == ("moderation.appealed", author.user_id)
    assert entry.before is not None
    assert entry.before == {"lifecycle": "rejected", "decision": entry.before["decision"]}
    [item] = await _queue(graphql, runtime, moderator)
    assert item["subject"]["id"] == idea
    assert item["reasons"] == ["ABUSIVE_LANGUAGE", "APPEALED"]
    assert (
        item["explanations"][-1] == "Wer den Beitrag geschrieben hat, bittet um eine zweite Prüfung der Entscheidung."
    )
    assert item["appeal"] == {"text": WHY, "resolution": None}
    assert item["appealedAt"] == item["queuedAt"]
    assert [node["subject"]["id"] for node in await _queue(graphql, runtime, moderator, reason="APPEALED")] == [idea]


async def test_only_the_author_appeals(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    stranger = await person(runtime, oidc_provider, "fremder")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)
    before = await footprint(runtime)

    by_stranger = await _appeal(graphql, stranger, idea)
    by_moderator = await graphql(APPEAL, {"input": {"subjectId": idea, "text": WHY}}, headers=moderator)
    anonymous = await graphql(APPEAL, {"input": {"subjectId": idea, "text": WHY}})

    assert by_stranger["code"] == "UNKNOWN_IDEA"
    assert by_moderator["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await footprint(runtime) == before
    assert await _queue(graphql, runtime, moderator) == []


@pytest.mark.parametrize("lifecycle", [Lifecycle.PENDING, Lifecycle.PUBLISHED, Lifecycle.WITHDRAWN])
async def test_there_is_nothing_to_appeal_unless_rejected_or_hidden(
    lifecycle: Lifecycle, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    idea_id = await factories.idea_row(runtime, author.user_id, title="Der Planer ist ein Vollidiot")
    await check(runtime, idea_id)  # held: a decision that is not appealable
    if lifecycle is not Lifecycle.PENDING:
        await set_lifecycle_directly(runtime, idea_id, lifecycle)
    before = await footprint(runtime)

    refused = await _appeal(graphql, author, global_id("Idea", idea_id))

    assert (refused["code"], refused["field"]) == ("NOTHING_TO_APPEAL", "subjectId")
    assert await footprint(runtime) == before


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
async def test_an_appeal_needs_words(
    text: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)

    refused = await _appeal(graphql, author, idea, text)

    assert (refused["code"], refused["field"]) == ("APPEAL_TEXT_LENGTH", "text")
    assert await _queue(graphql, runtime, moderator) == []


DECISIONS_ON_APPEALS = {
    "RESTORE": ("PUBLISHED", "reversed", "moderation.restore"),
    "UPHOLD": ("REJECTED", "upheld", "moderation.uphold"),
}


@pytest.mark.parametrize("decision", list(DECISIONS_ON_APPEALS))
async def test_a_moderator_reverses_or_upholds_and_the_author_is_told(
    decision: str, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    lifecycle, resolution, notice = DECISIONS_ON_APPEALS[decision]
    author = await person(runtime, oidc_provider, "autorin")
    moderator, moderator_id = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)
    await _appeal(graphql, author, idea)

    decided = await _decide(graphql, moderator, idea, decision, "Noch einmal angesehen.")

    assert decided == {"__typename": "SubmissionModerated", "lifecycle": lifecycle}
    assert await _queue(graphql, runtime, moderator) == []
    entry = (await audit_entries(runtime, row_id(idea)))[-1]
    assert entry.actor_id == moderator_id
    assert (entry.after or {})["appeal"]["resolution"] == resolution
    last = (await notifications(runtime, author.user_id))[-1]
    assert last.kind == notice
    assert "Noch einmal angesehen." in last.body
    # One appeal per decision: the decision on the appeal is not appealed again.
    again = await _appeal(graphql, author, idea)
    assert again["code"] == ("NOTHING_TO_APPEAL" if decision == "RESTORE" else "ALREADY_APPEALED")


async def test_upholding_needs_an_appeal(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)
    before = await footprint(runtime)

    refused = await _decide(graphql, moderator, idea, "UPHOLD", "Bleibt so.")

    assert (refused["code"], refused["field"]) == ("DECISION_NOT_APPLICABLE", "decision")
    assert await footprint(runtime) == before


async def test_a_new_decision_can_be_appealed_again(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _rejected_idea(runtime, graphql, author, moderator)
    await _appeal(graphql, author, idea)
    await _decide(graphql, moderator, idea, "RESTORE", "Satire ist erlaubt.")
    await _decide(graphql, moderator, idea, "HIDE", "Nach neuen Meldungen doch ausgeblendet.")

    appealed = await _appeal(graphql, author, idea, "Es ist immer noch Satire.")

    assert appealed["__typename"] == "DecisionAppealed"
    [item] = await _queue(graphql, runtime, moderator)
    assert item["appeal"]["text"] == "Es ist immer noch Satire."


@pytest.mark.parametrize("outcome", list(Outcome))
async def test_no_notice_asks_for_a_reply_and_refusals_say_how_to_appeal(outcome: Outcome, runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        subject = await load_subject(session, SubjectKind.IDEA, idea_id)
        assert subject is not None
        tell_author(session, subject, outcome, reasons=[])

    [notice] = await notifications(runtime, author)
    assert "antworten sie auf diese" not in notice.body.lower()
    if outcome in {Outcome.REJECT, Outcome.HIDE}:
        assert "Einspruch einlegen" in notice.body
        assert "appealDecision" in notice.body
        assert "Bitte antworten Sie nicht auf diese E-Mail" in notice.body


async def test_an_appeal_is_part_of_its_authors_data_export(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    await _appeal(graphql, author, await _rejected_idea(runtime, graphql, author, moderator))

    async with runtime.unit_of_work() as uow, uow.session() as session:
        mine = await build_document(session, author.user_id)
        theirs = await build_document(session, await factories.user(runtime, "Jemand"))

    assert [row["text"] for row in mine["moderationAppeals"]] == [WHY]
    assert theirs["moderationAppeals"] == []
