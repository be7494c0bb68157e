"""The automated decision on pending ideas and comments, per town policy, written exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mitmachen.runtime import Runtime
from service.auth.viewer import Viewer
from service.ideas import service as ideas
from service.ideas.models import Lifecycle
from service.moderation.models import ModerationPolicy, ModerationTerm, Outcome, SubjectKind
from service.moderation.reasons import Reason
from tests.service.moderation import factories
from tests.service.moderation.support import audit_entries, check, decisions, notifications

ABUSIVE_TITLE = "Der Planer ist ein Vollidiot"
SEVERE_TITLE = "Ich bring dich um, Planer"


async def test_a_clean_idea_is_published_audited_and_its_author_told(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author)

    outcome = await check(runtime, idea_id)

    assert outcome is Outcome.PUBLISH
    idea = await factories.load_idea(runtime, idea_id)
    assert idea.lifecycle == Lifecycle.PUBLISHED.value
    assert idea.published_at is not None
    assert idea.checked_at is not None
    assert idea.held_at is None
    assert idea.moderation_reasons == []
    [decision] = await decisions(runtime, idea_id)
    assert (decision.automated, decision.outcome, decision.reasons) == (True, "publish", [])
    assert decision.content_digest is not None
    [entry] = await audit_entries(runtime, idea_id)
    assert (entry.action, entry.actor_id, entry.subject_type) == ("moderation.published", None, "idea")
    assert entry.town_id == idea.town_id
    assert entry.before == {"lifecycle": "pending", "reasons": []}
    assert entry.after == {"lifecycle": "published", "reasons": []}
    [notice] = await notifications(runtime, author)
    assert notice.kind == "moderation.publish"
    assert "veröffentlicht" in notice.subject


async def test_abusive_language_holds_the_idea_with_its_reason(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author, title=ABUSIVE_TITLE)

    outcome = await check(runtime, idea_id)

    assert outcome is Outcome.HOLD
    idea = await factories.load_idea(runtime, idea_id)
    assert idea.lifecycle == Lifecycle.PENDING.value
    assert idea.held_at is not None
    assert idea.moderation_reasons == [Reason.ABUSIVE_LANGUAGE.value]
    [entry] = await audit_entries(runtime, idea_id)
    assert entry.action == "moderation.held"
    assert entry.reason == "abusive_language"
    assert entry.after == {"lifecycle": "pending", "reasons": ["abusive_language"]}
    [notice] = await notifications(runtime, author)
    assert notice.kind == "moderation.hold"
    assert "beleidigende" in notice.body


async def test_severe_abuse_is_rejected(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author, title=SEVERE_TITLE)

    assert await check(runtime, idea_id) is Outcome.REJECT

    idea = await factories.load_idea(runtime, idea_id)
    assert idea.lifecycle == Lifecycle.REJECTED.value
    assert idea.moderation_reasons == [Reason.SEVERE_ABUSE.value]
    assert [entry.action for entry in await audit_entries(runtime, idea_id)] == ["moderation.rejected"]


async def test_checking_twice_decides_once(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    published = await factories.submit_idea(runtime, author)
    held = await factories.submit_idea(runtime, author, title=ABUSIVE_TITLE)

    first = [await check(runtime, published), await check(runtime, held)]
    second = [await check(runtime, published), await check(runtime, held)]

    assert first == [Outcome.PUBLISH, Outcome.HOLD]
    assert second == [None, None]
    assert len(await decisions(runtime, published)) == len(await decisions(runtime, held)) == 1
    assert len(await audit_entries(runtime, held)) == 1
    assert len(await notifications(runtime, author)) == 2


async def test_an_edited_held_idea_is_checked_again_an_unchanged_one_is_not(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author, title=ABUSIVE_TITLE)
    assert await check(runtime, idea_id) is Outcome.HOLD

    async with runtime.unit_of_work() as uow, uow.session() as session:
        await ideas.edit_idea(session, Viewer(user_id=author), idea_id=idea_id, title="Der Plan braucht mehr Radwege")
    outcome = await check(runtime, idea_id)

    assert outcome is Outcome.PUBLISH
    assert [decision.outcome for decision in await decisions(runtime, idea_id)] == ["hold", "publish"]
    idea = await factories.load_idea(runtime, idea_id)
    assert idea.lifecycle == Lifecycle.PUBLISHED.value
    assert idea.moderation_reasons == []


async def test_a_published_comment_counts_once_on_its_idea(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    comment_id = await factories.comment_row(runtime, idea_id, author)

    assert await check(runtime, comment_id, SubjectKind.COMMENT) is Outcome.PUBLISH
    assert await check(runtime, comment_id, SubjectKind.COMMENT) is None

    assert (await factories.load_comment(runtime, comment_id)).lifecycle == Lifecycle.PUBLISHED.value
    assert (await factories.load_idea(runtime, idea_id)).comment_count == 1
    [entry] = await audit_entries(runtime, comment_id)
    assert (entry.action, entry.subject_type) == ("moderation.published", "comment")


async def test_a_held_comment_does_not_count(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, author, lifecycle=Lifecycle.PUBLISHED)
    comment_id = await factories.comment_row(runtime, idea_id, author, body="Ruf mich an: 0171 2345678")

    assert await check(runtime, comment_id, SubjectKind.COMMENT) is Outcome.HOLD

    comment = await factories.load_comment(runtime, comment_id)
    assert comment.moderation_reasons == [Reason.CONTACT_PHONE.value]
    assert (await factories.load_idea(runtime, idea_id)).comment_count == 0


async def test_a_contribution_no_longer_pending_is_left_alone(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await ideas.withdraw_idea(session, Viewer(user_id=author), idea_id=idea_id)

    assert await check(runtime, idea_id) is None

    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.WITHDRAWN.value
    assert await decisions(runtime, idea_id) == []


# ----------------------------------------------------------------------------- policies


async def test_policy_off_publishes_everything_and_records_the_reasons(runtime: Runtime) -> None:
    await factories.policy(runtime, "soest", ModerationPolicy.OFF)
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author, title=ABUSIVE_TITLE)

    assert await check(runtime, idea_id) is Outcome.PUBLISH

    [decision] = await decisions(runtime, idea_id)
    assert decision.reasons == [Reason.ABUSIVE_LANGUAGE.value]


async def test_policy_always_holds_a_clean_idea(runtime: Runtime) -> None:
    await factories.policy(runtime, "soest", ModerationPolicy.ALWAYS)
    author = await factories.user(runtime)
    idea_id = await factories.submit_idea(runtime, author)

    assert await check(runtime, idea_id) is Outcome.HOLD

    assert (await factories.load_idea(runtime, idea_id)).moderation_reasons == [Reason.POLICY_ALWAYS.value]


async def test_policy_first_post_holds_only_the_first_contribution_in_the_town(runtime: Runtime) -> None:
    await factories.policy(runtime, "soest", ModerationPolicy.FIRST_POST)
    newcomer = await factories.user(runtime, "Neu Hier")
    regular = await factories.user(runtime, "Schon Dabei")
    await factories.idea_row(runtime, regular, title="Eine frühere Idee", lifecycle=Lifecycle.PUBLISHED)
    await factories.idea_row(runtime, newcomer, slug="olpe", title="Eine Idee in Olpe", lifecycle=Lifecycle.PUBLISHED)
    first = await factories.submit_idea(runtime, newcomer)
    later = await factories.submit_idea(runtime, regular, title="Trinkbrunnen am Markt", body="Für heiße Tage.")

    assert await check(runtime, first) is Outcome.HOLD
    assert await check(runtime, later) is Outcome.PUBLISH

    assert (await factories.load_idea(runtime, first)).moderation_reasons == [Reason.FIRST_CONTRIBUTION.value]


async def test_policy_is_per_town(runtime: Runtime) -> None:
    await factories.policy(runtime, "olpe", ModerationPolicy.ALWAYS)
    author = await factories.user(runtime)
    in_soest = await factories.submit_idea(runtime, author, slug="soest")
    in_olpe = await factories.submit_idea(runtime, author, slug="olpe")

    assert [await check(runtime, in_soest), await check(runtime, in_olpe)] == [Outcome.PUBLISH, Outcome.HOLD]


# ----------------------------------------------------------------------------- checks that need the database


async def test_a_near_duplicate_of_a_recent_idea_in_the_town_is_held(runtime: Runtime) -> None:
    first_author = await factories.user(runtime, "Erste")
    second_author = await factories.user(runtime, "Zweite")
    body = "Ein Trinkwasserbrunnen auf dem Marktplatz wäre im Sommer eine große Hilfe für alle."
    original = await factories.submit_idea(runtime, first_author, title="Trinkbrunnen am Markt", body=body)
    copy = await factories.submit_idea(runtime, second_author, title="Trinkbrunnen am Marktplatz", body=body)
    elsewhere = await factories.submit_idea(
        runtime, second_author, slug="olpe", title="Trinkbrunnen am Markt", body=body
    )

    outcomes = [await check(runtime, original), await check(runtime, copy), await check(runtime, elsewhere)]

    assert outcomes == [Outcome.PUBLISH, Outcome.HOLD, Outcome.PUBLISH]
    assert (await factories.load_idea(runtime, copy)).moderation_reasons == [Reason.NEAR_DUPLICATE.value]
    [decision] = await decisions(runtime, copy)
    assert decision.score > 0.6


async def test_more_than_fifteen_submissions_in_ten_minutes_are_held(runtime: Runtime) -> None:
    author = await factories.user(runtime)
    now = datetime.now(UTC)
    for number in range(15):
        await factories.idea_row(
            runtime,
            author,
            title=f"Frühere Idee Nummer {number}",
            body=f"Text {number}",
            created_at=now - timedelta(seconds=30 * number + 30),
        )
    sixteenth = await factories.submit_idea(runtime, author, title="Noch eine Idee", body="Ganz anderer Inhalt hier.")

    assert await check(runtime, sixteenth) is Outcome.HOLD

    assert (await factories.load_idea(runtime, sixteenth)).moderation_reasons == [Reason.SPAM_POSTING_RATE.value]


COMMENTS_IN_A_DISCUSSION = [
    "Danke für die Idee, das Thema ist wichtig.",
    "Am Osthofentor wäre Platz dafür.",
    "Ja, genau, das meine ich.",
    "Der Bauhof könnte das übernehmen.",
    "Im Sommer reicht das aber nicht.",
    "Dann lieber zwei kleinere Stellen.",
    "Gute Frage, das weiß ich nicht.",
    "Vielleicht fragt jemand im Ortsbeirat nach?",
    "Ich komme zur nächsten Sitzung mit.",
    "Stimmt, der Weg ist dort sehr schmal.",
    "Mit Kinderwagen kommt man kaum durch.",
    "Danke euch allen für die Antworten!",
]


async def test_a_person_answering_in_a_discussion_is_not_held_for_the_posting_rate(runtime: Runtime) -> None:
    """Twelve short comments within three minutes, one every 15 s: someone answering replies, not a script."""
    author = await factories.user(runtime)
    idea_id = await factories.idea_row(runtime, await factories.user(runtime, "Ida"), lifecycle=Lifecycle.PUBLISHED)
    start = datetime.now(UTC) - timedelta(minutes=3)
    comments = [
        await factories.comment_row(runtime, idea_id, author, body=text, created_at=start + timedelta(seconds=15 * n))
        for n, text in enumerate(COMMENTS_IN_A_DISCUSSION)
    ]

    outcomes = [await check(runtime, comment, SubjectKind.COMMENT) for comment in comments]

    assert outcomes == [Outcome.PUBLISH] * len(COMMENTS_IN_A_DISCUSSION)


async def test_a_towns_own_terms_apply_in_that_town_only(runtime: Runtime) -> None:
    soest = await factories.town(runtime, "soest")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        session.add(ModerationTerm(town_id=soest, term="*stinkstiefel"))
    author = await factories.user(runtime)
    title = "Der Oberstinkstiefel vom Amt"
    in_soest = await factories.submit_idea(runtime, author, slug="soest", title=title)
    in_olpe = await factories.submit_idea(runtime, author, slug="olpe", title=title)

    assert [await check(runtime, in_soest), await check(runtime, in_olpe)] == [Outcome.HOLD, Outcome.PUBLISH]
