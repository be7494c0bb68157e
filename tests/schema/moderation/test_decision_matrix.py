"""Every moderator's decision from every state it applies to, and the decision that undoes it; every other
combination is refused and changes nothing. Older clients' PUBLISH on a published contribution still dismisses
its reports."""

from __future__ import annotations

import pytest

from mitmachen.runtime import Runtime
from service.ideas.models import Lifecycle
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import caller, footprint, global_id
from tests.service.moderation import factories
from tests.service.moderation.support import audit_entries, notifications
from tests.support.ideas import row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

MODERATE = """
mutation Moderate($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) {
    __typename
    ... on SubmissionModerated { decision lifecycle }
    ... on UserError { code field message }
  }
}
"""
APPEAL = """
mutation Appeal($input: AppealDecisionInput!) { appealDecision(input: $input) { __typename } }
"""
P, R, H, W, Q = (Lifecycle.PUBLISHED, Lifecycle.REJECTED, Lifecycle.HIDDEN, Lifecycle.WITHDRAWN, Lifecycle.PENDING)

# decision, from, leads to, the decision that undoes it, and where that leads (the state before where it is a
# settled one; from pending, which no decision returns to, the opposite of what was decided).
CASES = [
    ("PUBLISH", Q, P, "REJECT", R),
    ("PUBLISH", R, P, "REJECT", R),
    ("PUBLISH", H, P, "HIDE", H),
    ("REJECT", Q, R, "PUBLISH", P),
    ("REJECT", P, R, "RESTORE", P),
    ("REJECT", H, R, "HIDE", H),
    ("HIDE", P, H, "RESTORE", P),
    ("HIDE", R, H, "REJECT", R),
    ("RESTORE", H, P, "HIDE", H),
    ("RESTORE", R, P, "REJECT", R),
    ("DISMISS_REPORTS", P, P, "HIDE", H),
    ("UPHOLD", R, R, "RESTORE", P),
    ("UPHOLD", H, H, "RESTORE", P),
]
AUDIT_ACTIONS = {
    "PUBLISH": "moderation.published",
    "REJECT": "moderation.rejected",
    "HIDE": "moderation.hidden",
    "RESTORE": "moderation.restored",
    "DISMISS_REPORTS": "moderation.reports_dismissed",
    "UPHOLD": "moderation.upheld",
}
APPLICABLE = {(decision, source) for decision, source, *_ in CASES} | {("PUBLISH", P)}  # the older clients' way
REFUSED = [
    (decision, source) for decision in AUDIT_ACTIONS for source in Lifecycle if (decision, source) not in APPLICABLE
]


async def _in_state(
    runtime: Runtime,
    graphql: GraphQLClient,
    author: Person,
    moderator: dict[str, str],
    *,
    decision: str,
    state: Lifecycle,
) -> str:
    """An idea of `author` in `state`; with an open report for DISMISS_REPORTS, an open appeal for UPHOLD."""
    if decision != "UPHOLD":
        idea_id = await factories.idea_row(runtime, author.user_id, lifecycle=state)
        if decision == "DISMISS_REPORTS":
            await factories.report(runtime, await factories.user(runtime, "Melder"), idea_id=idea_id)
        return global_id("Idea", idea_id)
    start, taken_by = (Q, "REJECT") if state is R else (P, "HIDE")
    idea = global_id("Idea", await factories.idea_row(runtime, author.user_id, lifecycle=start))
    assert (await _decide(graphql, moderator, idea, taken_by))["lifecycle"] == state.name
    appealed = await graphql(APPEAL, {"input": {"subjectId": idea, "text": "Bitte prüfen."}}, headers=author.headers)
    assert appealed["data"]["appealDecision"]["__typename"] == "DecisionAppealed", appealed
    return idea


async def _decide(graphql: GraphQLClient, headers: dict[str, str], idea: str, decision: str) -> dict[str, str]:
    body = await graphql(
        MODERATE, {"input": {"subjectId": idea, "decision": decision, "reason": "Geprüft."}}, headers=headers
    )
    result: dict[str, str] = body["data"]["moderateSubmission"]
    return result


@pytest.mark.parametrize("case", CASES, ids=[f"{case[0]} from {case[1].value}" for case in CASES])
async def test_every_decision_and_its_reversal(
    case: tuple[str, Lifecycle, Lifecycle, str, Lifecycle],
    graphql: GraphQLClient,
    runtime: Runtime,
    oidc_provider: OidcProvider,
) -> None:
    decision, source, target, reversal, back = case
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea = await _in_state(runtime, graphql, author, moderator, decision=decision, state=source)
    notices = len(await notifications(runtime, author.user_id))

    decided = await _decide(graphql, moderator, idea, decision)
    undone = await _decide(graphql, moderator, idea, reversal)

    assert decided == {"__typename": "SubmissionModerated", "decision": decision, "lifecycle": target.name}
    assert undone == {"__typename": "SubmissionModerated", "decision": reversal, "lifecycle": back.name}
    entries = await audit_entries(runtime, row_id(idea))
    assert [entry.action for entry in entries[-2:]] == [AUDIT_ACTIONS[decision], AUDIT_ACTIONS[reversal]]
    before, after = entries[-2].before or {}, entries[-2].after or {}
    assert (before["lifecycle"], after["lifecycle"]) == (source.value, target.value)
    assert len(await notifications(runtime, author.user_id)) == notices + 2


@pytest.mark.parametrize(("decision", "source"), REFUSED)
async def test_a_decision_that_does_not_apply_is_refused_and_changes_nothing(
    decision: str, source: Lifecycle, graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea_id = await factories.idea_row(runtime, author.user_id, lifecycle=source)
    before = await footprint(runtime)

    refused = await _decide(graphql, moderator, global_id("Idea", idea_id), decision)

    assert (refused["code"], refused["field"]) == ("DECISION_NOT_APPLICABLE", "decision")
    assert refused["message"].startswith("Der Beitrag ist ")
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == source.value
    assert await footprint(runtime) == before


async def test_dismissing_needs_open_reports(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea_id = await factories.idea_row(runtime, author.user_id, lifecycle=P)
    before = await footprint(runtime)

    refused = await _decide(graphql, moderator, global_id("Idea", idea_id), "DISMISS_REPORTS")

    assert (refused["code"], refused["message"]) == (
        "DECISION_NOT_APPLICABLE",
        "Zu diesem Beitrag gibt es keine offenen Meldungen.",
    )
    assert await footprint(runtime) == before


async def test_older_clients_publishing_a_published_contribution_dismiss_its_reports(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "autorin")
    moderator, _ = await caller(runtime, oidc_provider, "moderator of Soest")
    idea_id = await factories.idea_row(runtime, author.user_id, lifecycle=P)
    await factories.report(runtime, await factories.user(runtime, "Melder"), idea_id=idea_id)

    decided = await _decide(graphql, moderator, global_id("Idea", idea_id), "PUBLISH")

    assert decided == {"__typename": "SubmissionModerated", "decision": "PUBLISH", "lifecycle": "PUBLISHED"}
    entry = (await audit_entries(runtime, idea_id))[-1]
    assert (entry.action, (entry.after or {})["resolved_reports"]) == ("moderation.reports_dismissed", 1)
