"""Comments (one reply level, moderated), reports (once per person and item) and the town's official answers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.ideas.models import Lifecycle
from tests.conftest import GraphQLClient
from tests.support.ideas import (
    codes,
    count_rows,
    publish_comment_directly,
    publish_directly,
    queued_jobs,
    row_id,
    set_lifecycle_directly,
    submit,
    town_ref,
)
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person

COMMENT_ON_IDEA = """
mutation CommentOnIdea($input: CommentOnIdeaInput!) {
  commentOnIdea(input: $input) {
    __typename
    ... on CommentPosted { comment { id body lifecycle replyTo author { displayName } } }
    ... on UserError { code field message }
  }
}
"""
REPORT_CONTENT = """
mutation ReportContent($input: ReportContentInput!) {
  reportContent(input: $input) {
    __typename
    ... on ContentReported { reported }
    ... on UserError { code field message }
  }
}
"""
ANSWER_IDEA = """
mutation AnswerIdea($input: AnswerIdeaInput!) {
  answerIdea(input: $input) {
    __typename
    ... on IdeaAnswered {
      idea { id officialStatus officialAnswer answeredAt officialAnswers { status answer answeredAt } }
    }
    ... on UserError { code field message }
  }
}
"""
IDEA_ANSWERS = """
query IdeaAnswers($id: ID!) {
  node(id: $id) { ... on Idea { officialStatus officialAnswer answeredAt officialAnswers { status answer } } }
}
"""
IDEA_COMMENTS = """
query IdeaComments($id: ID!) {
  node(id: $id) { ... on Idea { commentCount comments { id body lifecycle replyTo author { displayName } } } }
}
"""


async def _published_idea(runtime: Runtime, graphql: GraphQLClient, author: Person, town: str = "soest") -> str:
    idea_id = await submit(graphql, author, await town_ref(graphql, town))
    await publish_directly(runtime, idea_id)
    await runtime.redis.flushdb()
    return idea_id


async def _comment(graphql: GraphQLClient, author: Person, idea_id: str, body: str, reply_to: str | None = None) -> str:
    result = await graphql(
        COMMENT_ON_IDEA, {"input": {"ideaId": idea_id, "body": body, "replyTo": reply_to}}, headers=author.headers
    )
    posted = result["data"]["commentOnIdea"]
    assert posted["__typename"] == "CommentPosted", result
    comment_id: str = posted["comment"]["id"]
    return comment_id


# ---------------------------------------------------------------- comments


async def test_comment_on_a_published_idea_waits_for_moderation(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar", name="Omar Olpe")
    idea_id = await _published_idea(runtime, graphql, clara)

    body = await graphql(
        COMMENT_ON_IDEA,
        {"input": {"ideaId": idea_id, "body": "  Gute Idee, bitte mit Schatten.  "}},
        headers=omar.headers,
    )

    posted = body["data"]["commentOnIdea"]
    assert posted["__typename"] == "CommentPosted", body
    comment = posted["comment"]
    assert comment["body"] == "Gute Idee, bitte mit Schatten."
    assert comment["lifecycle"] == "PENDING"
    assert comment["replyTo"] is None
    assert comment["author"] == {"displayName": "Omar Olpe"}
    assert await runtime.redis.zcard("arq:queue") == 1
    assert await queued_jobs(runtime) == [("moderation.check", ("comment", str(row_id(comment["id"]))))]
    # Pending: the author sees it, nobody else does, and it is not counted yet.
    as_author = (await graphql(IDEA_COMMENTS, {"id": idea_id}, headers=omar.headers))["data"]["node"]
    as_anonymous = (await graphql(IDEA_COMMENTS, {"id": idea_id}))["data"]["node"]
    assert [seen["id"] for seen in as_author["comments"]] == [comment["id"]]
    assert as_anonymous == {"commentCount": 0, "comments": []}


async def test_reply_to_a_reply_is_refused(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    top = await _comment(graphql, omar, idea_id, "Wo genau?")
    await publish_comment_directly(runtime, top)
    reply = await _comment(graphql, clara, idea_id, "Am Osthofentor.", reply_to=top)
    await publish_comment_directly(runtime, reply)
    await runtime.redis.flushdb()

    body = await graphql(
        COMMENT_ON_IDEA, {"input": {"ideaId": idea_id, "body": "Danke!", "replyTo": reply}}, headers=omar.headers
    )

    assert body["data"]["commentOnIdea"] == {
        "__typename": "InvalidInput",
        "code": "REPLY_NOT_ALLOWED",
        "field": "replyTo",
        "message": "Auf Antworten kann man nicht antworten.",
    }
    assert await count_rows(runtime, "comments") == 2
    assert await runtime.redis.zcard("arq:queue") == 0
    comments = (await graphql(IDEA_COMMENTS, {"id": idea_id}))["data"]["node"]
    assert comments["commentCount"] == 2
    assert [(seen["id"], seen["replyTo"]) for seen in comments["comments"]] == [(top, None), (reply, top)]


@pytest.mark.parametrize("text_", ["", "   \n\t  ", "x" * 2001], ids=["empty", "blank", "2001 characters"])
async def test_comment_length_is_checked(
    text_: str, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)

    body = await graphql(COMMENT_ON_IDEA, {"input": {"ideaId": idea_id, "body": text_}}, headers=omar.headers)

    assert body["data"]["commentOnIdea"] == {
        "__typename": "InvalidInput",
        "code": "COMMENT_LENGTH",
        "field": "body",
        "message": "Ein Kommentar hat 1 bis 2000 Zeichen.",
    }
    assert await count_rows(runtime, "comments") == 0
    assert await runtime.redis.zcard("arq:queue") == 0


async def test_comment_on_an_idea_that_is_not_published(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    soest = await town_ref(graphql, "soest")
    pending = await submit(graphql, clara, soest)
    await runtime.redis.flushdb()

    by_author = await graphql(
        COMMENT_ON_IDEA, {"input": {"ideaId": pending, "body": "Nachtrag"}}, headers=clara.headers
    )
    by_other = await graphql(COMMENT_ON_IDEA, {"input": {"ideaId": pending, "body": "Hallo"}}, headers=omar.headers)
    anonymous = await graphql(COMMENT_ON_IDEA, {"input": {"ideaId": pending, "body": "Hallo"}})

    assert by_author["data"]["commentOnIdea"]["code"] == "IDEA_NOT_OPEN"
    assert by_other["data"]["commentOnIdea"]["code"] == "UNKNOWN_IDEA"
    assert codes(anonymous["errors"]) == ["UNAUTHENTICATED"]
    assert await count_rows(runtime, "comments") == 0
    assert await runtime.redis.zcard("arq:queue") == 0


# ---------------------------------------------------------------- reports


async def test_reporting_an_idea_once_and_twice(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    report = {"ideaId": idea_id, "reason": "SPAM", "text": "Werbung für einen Laden."}

    first = await graphql(REPORT_CONTENT, {"input": report}, headers=omar.headers)
    queued_after_first = await queued_jobs(runtime)
    second = await graphql(REPORT_CONTENT, {"input": {**report, "reason": "OFFENSIVE"}}, headers=omar.headers)

    assert first["data"]["reportContent"] == {"__typename": "ContentReported", "reported": True}
    assert queued_after_first == [("moderation.hide_reported", ("idea", str(row_id(idea_id))))]
    assert second["data"]["reportContent"] == {
        "__typename": "InvalidInput",
        "code": "ALREADY_REPORTED",
        "field": None,
        "message": "Sie haben diesen Beitrag bereits gemeldet.",
    }
    assert await count_rows(runtime, "reports", "reason = 'spam'") == 1
    assert await count_rows(runtime, "reports") == 1
    # Another person's report of the same idea is a report of its own.
    paula = await person(runtime, oidc_provider, "paula")
    third = await graphql(REPORT_CONTENT, {"input": report}, headers=paula.headers)
    assert third["data"]["reportContent"]["__typename"] == "ContentReported"
    assert await count_rows(runtime, "reports") == 2


async def test_reporting_a_comment(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    comment_id = await _comment(graphql, omar, idea_id, "Beleidigung")
    await publish_comment_directly(runtime, comment_id)
    await runtime.redis.flushdb()

    first = await graphql(
        REPORT_CONTENT, {"input": {"commentId": comment_id, "reason": "OFFENSIVE"}}, headers=clara.headers
    )
    second = await graphql(
        REPORT_CONTENT, {"input": {"commentId": comment_id, "reason": "OFFENSIVE"}}, headers=clara.headers
    )

    assert first["data"]["reportContent"] == {"__typename": "ContentReported", "reported": True}
    assert second["data"]["reportContent"]["code"] == "ALREADY_REPORTED"
    assert await queued_jobs(runtime) == [("moderation.hide_reported", ("comment", str(row_id(comment_id))))]
    assert await count_rows(runtime, "reports", "comment_id = :id", id=row_id(comment_id)) == 1


async def test_report_names_exactly_one_item(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    comment_id = await _comment(graphql, omar, idea_id, "Kommentar")
    await publish_comment_directly(runtime, comment_id)
    await runtime.redis.flushdb()

    both = await graphql(
        REPORT_CONTENT,
        {"input": {"ideaId": idea_id, "commentId": comment_id, "reason": "SPAM"}},
        headers=clara.headers,
    )
    neither = await graphql(REPORT_CONTENT, {"input": {"reason": "SPAM"}}, headers=clara.headers)

    for result in (both, neither):
        assert result["data"]["reportContent"] == {
            "__typename": "InvalidInput",
            "code": "INVALID_INPUT",
            "field": "ideaId",
            "message": "Bitte genau eine Idee oder einen Kommentar melden.",
        }
    assert await count_rows(runtime, "reports") == 0
    assert await runtime.redis.zcard("arq:queue") == 0


async def test_report_text_and_hidden_items(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)

    too_long = await graphql(
        REPORT_CONTENT, {"input": {"ideaId": idea_id, "reason": "SPAM", "text": "z" * 1001}}, headers=omar.headers
    )
    await set_lifecycle_directly(runtime, idea_id, Lifecycle.HIDDEN)
    hidden = await graphql(REPORT_CONTENT, {"input": {"ideaId": idea_id, "reason": "SPAM"}}, headers=omar.headers)
    anonymous = await graphql(REPORT_CONTENT, {"input": {"ideaId": idea_id, "reason": "SPAM"}})

    assert too_long["data"]["reportContent"]["code"] == "REPORT_TEXT_TOO_LONG"
    assert hidden["data"]["reportContent"]["code"] == "UNKNOWN_IDEA"
    assert codes(anonymous["errors"]) == ["UNAUTHENTICATED"]
    assert await count_rows(runtime, "reports") == 0


# ---------------------------------------------------------------- official answers


async def test_staff_of_the_town_answers_and_the_history_is_kept(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    staff = await person(runtime, oidc_provider, "sven", roles_held=((Role.STAFF, "soest"),))
    idea_id = await _published_idea(runtime, graphql, clara)

    first = await graphql(
        ANSWER_IDEA,
        {"input": {"ideaId": idea_id, "status": "UNDER_REVIEW", "answer": "Wir prüfen Standorte."}},
        headers=staff.headers,
    )
    second = await graphql(
        ANSWER_IDEA,
        {"input": {"ideaId": idea_id, "status": "ACCEPTED", "answer": "Zwei Bänke kommen im Mai."}},
        headers=staff.headers,
    )

    assert first["data"]["answerIdea"]["__typename"] == "IdeaAnswered", first
    answered = second["data"]["answerIdea"]["idea"]
    assert answered["officialStatus"] == "ACCEPTED"
    assert answered["officialAnswer"] == "Zwei Bänke kommen im Mai."
    assert answered["answeredAt"] is not None
    history = [(answer["status"], answer["answer"]) for answer in answered["officialAnswers"]]
    assert history == [("UNDER_REVIEW", "Wir prüfen Standorte."), ("ACCEPTED", "Zwei Bänke kommen im Mai.")]
    assert answered["officialAnswers"][0]["answeredAt"] <= answered["officialAnswers"][1]["answeredAt"]
    public = (await graphql(IDEA_ANSWERS, {"id": idea_id}))["data"]["node"]
    assert public["officialStatus"] == "ACCEPTED"
    assert [answer["status"] for answer in public["officialAnswers"]] == ["UNDER_REVIEW", "ACCEPTED"]
    async with runtime.engine.connect() as connection:
        notifications = (
            await connection.execute(
                text("SELECT kind, subject FROM notifications WHERE user_id = :user ORDER BY created_at, id"),
                {"user": clara.user_id},
            )
        ).all()
    assert [kind for kind, _ in notifications] == ["idea.answered", "idea.answered"]
    assert {subject for _, subject in notifications} == {
        "Ihre Idee „Mehr Bänke am Wall“: wird geprüft",
        "Ihre Idee „Mehr Bänke am Wall“: angenommen",
    }
    assert await count_rows(runtime, "notifications") == 2
    assert [name for name, _ in await queued_jobs(runtime)] == ["notifications.deliver", "notifications.deliver"]


@pytest.mark.parametrize(
    "roles_held",
    [((Role.STAFF, "olpe"),), ((Role.MODERATOR, "soest"),), ((Role.ADMIN, "olpe"),), ()],
    ids=["staff of Olpe", "moderator of Soest", "admin of Olpe", "citizen"],
)
async def test_only_the_towns_staff_answers(
    roles_held: tuple[tuple[Role, str | None], ...],
    runtime: Runtime,
    graphql: GraphQLClient,
    oidc_provider: OidcProvider,
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    caller = await person(runtime, oidc_provider, "caller", roles_held=roles_held)
    idea_id = await _published_idea(runtime, graphql, clara)

    body = await graphql(
        ANSWER_IDEA,
        {"input": {"ideaId": idea_id, "status": "DECLINED", "answer": "Nein."}},
        headers=caller.headers,
    )

    assert body["data"] is None
    assert codes(body["errors"]) == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == "Offizielle Antworten gibt die Verwaltung der Stadt."
    unchanged = (await graphql(IDEA_ANSWERS, {"id": idea_id}))["data"]["node"]
    assert unchanged == {"officialStatus": None, "officialAnswer": None, "answeredAt": None, "officialAnswers": []}
    assert await count_rows(runtime, "idea_official_answers") == 0
    assert await count_rows(runtime, "notifications") == 0
    assert await runtime.redis.zcard("arq:queue") == 0


async def test_answer_rules(runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    staff = await person(runtime, oidc_provider, "sven", roles_held=((Role.STAFF, "soest"),))
    region_admin = await person(runtime, oidc_provider, "rita", roles_held=((Role.REGION_ADMIN, None),))
    published = await _published_idea(runtime, graphql, clara)
    pending = await submit(graphql, clara, await town_ref(graphql, "soest"), title="Noch in Prüfung")
    await runtime.redis.flushdb()

    empty = await graphql(
        ANSWER_IDEA, {"input": {"ideaId": published, "status": "ACCEPTED", "answer": "  "}}, headers=staff.headers
    )
    not_open = await graphql(
        ANSWER_IDEA, {"input": {"ideaId": pending, "status": "ACCEPTED", "answer": "Ja."}}, headers=staff.headers
    )
    by_region_admin = await graphql(
        ANSWER_IDEA,
        {"input": {"ideaId": published, "status": "IMPLEMENTED", "answer": "Erledigt."}},
        headers=region_admin.headers,
    )

    assert empty["data"]["answerIdea"]["code"] == "ANSWER_LENGTH"
    assert not_open["data"]["answerIdea"]["code"] == "IDEA_NOT_OPEN"
    assert by_region_admin["data"]["answerIdea"]["idea"]["officialStatus"] == "IMPLEMENTED"
    assert await count_rows(runtime, "idea_official_answers") == 1
    assert await count_rows(runtime, "notifications") == 1


async def test_a_comment_under_an_idea_the_reporter_may_not_read_is_unknown_to_them(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    """A published comment keeps its idea's visibility: reporting it must not confirm that a hidden idea exists."""
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea_id = await _published_idea(runtime, graphql, clara)
    comment_id = await _comment(graphql, omar, idea_id, "Ein Kommentar")
    await publish_comment_directly(runtime, comment_id)
    for lifecycle in (Lifecycle.HIDDEN, Lifecycle.REJECTED, Lifecycle.WITHDRAWN, Lifecycle.PENDING):
        await set_lifecycle_directly(runtime, idea_id, lifecycle)
        node = await graphql("query N($id: ID!) { node(id: $id) { id } }", {"id": comment_id}, headers=omar.headers)
        assert node["data"]["node"] is None, lifecycle
        result = await graphql(
            REPORT_CONTENT, {"input": {"commentId": comment_id, "reason": "SPAM"}}, headers=omar.headers
        )
        assert result["data"]["reportContent"]["code"] == "UNKNOWN_COMMENT", (lifecycle, result)
    assert await count_rows(runtime, "reports") == 0
