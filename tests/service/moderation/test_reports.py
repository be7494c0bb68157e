"""Hiding a published contribution once enough different people reported it."""

from __future__ import annotations

import uuid

from mitmachen.runtime import Runtime
from service.ideas.models import Lifecycle
from service.moderation.models import ModerationPolicy, SubjectKind
from service.moderation.reasons import Reason
from tests.service.moderation import factories
from tests.service.moderation.support import audit_entries, check, decisions, hide, notifications


async def _reported_idea(runtime: Runtime, reporters: int) -> tuple[uuid.UUID, uuid.UUID]:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    for number in range(reporters):
        await factories.report(runtime, await factories.user(runtime, f"Meldende {number}"), idea_id=idea_id)
    return author, idea_id


async def test_fewer_reporters_than_the_threshold_change_nothing(runtime: Runtime) -> None:
    _, idea_id = await _reported_idea(runtime, 2)

    assert await hide(runtime, idea_id) is False

    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.PUBLISHED.value
    assert await audit_entries(runtime, idea_id) == []


async def test_three_reporters_hide_the_idea_once(runtime: Runtime) -> None:
    author, idea_id = await _reported_idea(runtime, 3)

    assert await hide(runtime, idea_id) is True
    assert await hide(runtime, idea_id) is False

    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.HIDDEN.value
    [entry] = await audit_entries(runtime, idea_id)
    assert (entry.action, entry.actor_id, entry.reason) == ("moderation.hidden", None, "reported")
    assert entry.before == {"lifecycle": "published", "reasons": []}
    assert entry.after == {"lifecycle": "hidden", "reasons": [], "reporters": 3, "threshold": 3}
    [decision] = await decisions(runtime, idea_id)
    assert (decision.outcome, decision.reasons, decision.automated) == ("hide", [Reason.REPORTED.value], True)
    assert [notice.kind for notice in await notifications(runtime, author)] == ["moderation.hide"]


async def test_the_town_sets_the_threshold(runtime: Runtime) -> None:
    await factories.policy(runtime, "soest", ModerationPolicy.RISK_BASED, report_threshold=1)
    _, idea_id = await _reported_idea(runtime, 1)

    assert await hide(runtime, idea_id) is True


async def test_a_hidden_comment_no_longer_counts_on_its_idea(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    comment_id = await factories.comment_row(runtime, idea_id, author)

    await check(runtime, comment_id, SubjectKind.COMMENT)
    for number in range(3):
        await factories.report(runtime, await factories.user(runtime, f"Meldende {number}"), comment_id=comment_id)

    assert await hide(runtime, comment_id, SubjectKind.COMMENT) is True

    assert (await factories.load_comment(runtime, comment_id)).lifecycle == Lifecycle.HIDDEN.value
    assert (await factories.load_idea(runtime, idea_id)).comment_count == 0
