"""The event log and the `events` feed: an event exists exactly when its change committed, holds only public facts,
and is read oldest first, by town and type, for 30 days."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from mitmachen.runtime import Runtime
from service.auth.viewer import Grant, Role, Viewer
from service.events.log import EventType, record
from service.events.models import Event
from service.ideas.models import Lifecycle
from service.moderation.decisions import Decision, moderate_submission
from service.moderation.models import SubjectKind
from service.surveys.service import close_due_surveys
from service.users.models import User
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import global_id, town_global_id
from tests.service.moderation import factories
from tests.service.moderation.support import check
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import ARCHIVE_SURVEY, CLOSE_SURVEY, move_closing_time, published_survey
from workers.jobs.privacy import purge

EVENTS = """
query Events($town: ID, $after: String, $first: Int, $types: [String!]) {
  events(town: $town, after: $after, first: $first, types: $types) {
    edges { cursor node { sequence type occurredAt townId townSlug node payload } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""
MODERATE = """
mutation Moderate($input: ModerateSubmissionInput!) {
  moderateSubmission(input: $input) { __typename ... on UserError { code } }
}
"""
ANSWER = """
mutation Answer($input: AnswerIdeaInput!) {
  answerIdea(input: $input) { __typename ... on UserError { code } }
}
"""
WITHDRAW = "mutation W($id: ID!) { withdrawIdea(ideaId: $id) { __typename } }"
NODE = "query N($id: ID!) { node(id: $id) { __typename id } }"
HELD_TITLE = "Der Planer ist ein Vollidiot"
SECRET_BODY = "Meine Nummer ist 0171 2345678, nur für die Moderation."


async def _feed(graphql: GraphQLClient, **variables: Any) -> list[dict[str, Any]]:
    """Every event the anonymous feed shows, paged through with `after`."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        body = await graphql(EVENTS, {**variables, "after": after, "first": variables.get("first", 100)})
        assert "errors" not in body, body
        page = body["data"]["events"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def _types(graphql: GraphQLClient, **variables: Any) -> list[tuple[str, str]]:
    return [(event["type"], event["node"]) for event in await _feed(graphql, **variables)]


async def _moderator(runtime: Runtime, oidc_provider: OidcProvider) -> Person:
    return await person(runtime, oidc_provider, "events-moderator", roles_held=((Role.MODERATOR, "soest"),))


async def _staff(runtime: Runtime, oidc_provider: OidcProvider, slug: str = "soest") -> Person:
    return await person(runtime, oidc_provider, f"events-staff-{slug}", roles_held=((Role.STAFF, slug),))


def _decide(kind: str, subject_id: uuid.UUID, decision: str) -> dict[str, Any]:
    return {"input": {"subjectId": global_id(kind, subject_id), "decision": decision, "reason": "Begründung."}}


DISTINCT_IDEAS = [
    ("Mehr Bänke am Wall", "Zum Ausruhen auf dem Spaziergang rund um die Altstadt."),
    ("Trinkbrunnen am Markt", "Im Sommer fehlt frisches Wasser für Kinder und Radfahrende."),
    ("Carsharing am Bahnhof", "Zwei Stellplätze für geteilte Autos würden Pendlern helfen."),
    ("Obstbäume im Stadtpark", "Äpfel und Birnen für alle, gepflegt von einer Patenschaft."),
    ("Leihbücherei im Rathaus", "Ein offenes Regal zum Tauschen von Romanen und Sachbüchern."),
    ("Nachtbus am Wochenende", "Eine späte Verbindung aus den Dörfern zurück in die Kernstadt."),
    ("Skateanlage erneuern", "Die Rampen sind rostig und für Jugendliche gefährlich geworden."),
]


async def _published_idea(runtime: Runtime, number: int = 0, **fields: Any) -> uuid.UUID:
    """An idea published by the automated check, as the worker does it (`number` picks a text unlike the others)."""
    title, body = DISTINCT_IDEAS[number]
    fields = {"title": title, "body": body, **fields}
    idea_id = await factories.idea_row(runtime, await factories.user(runtime), **fields)
    await check(runtime, idea_id)
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.PUBLISHED.value
    return idea_id


async def _event_count(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


# ---------------------------------------------------------------- ideas and comments


async def test_an_idea_published_answered_hidden_and_restored_writes_its_events_and_a_tombstone(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    idea_id = await factories.idea_row(runtime, await factories.user(runtime), title=HELD_TITLE, body=SECRET_BODY)
    await check(runtime, idea_id)
    assert await _feed(graphql) == [], "a held idea is no public fact"
    moderator, staff = await _moderator(runtime, oidc_provider), await _staff(runtime, oidc_provider)
    idea = global_id("Idea", idea_id)

    published = await graphql(MODERATE, _decide("Idea", idea_id, "PUBLISH"), headers=moderator.headers)
    answer = {"input": {"ideaId": idea, "status": "ACCEPTED", "answer": "Wird umgesetzt."}}
    answered = await graphql(ANSWER, answer, headers=staff.headers)
    before_hiding = await _feed(graphql)
    hidden = await graphql(MODERATE, _decide("Idea", idea_id, "HIDE"), headers=moderator.headers)
    after_hiding = await _feed(graphql)
    restored = await graphql(MODERATE, _decide("Idea", idea_id, "RESTORE"), headers=moderator.headers)

    assert published["data"]["moderateSubmission"]["__typename"] == "SubmissionModerated"
    assert answered["data"]["answerIdea"]["__typename"] == "IdeaAnswered"
    assert hidden["data"]["moderateSubmission"]["__typename"] == "SubmissionModerated"
    assert restored["data"]["moderateSubmission"]["__typename"] == "SubmissionModerated"
    assert [(event["type"], event["payload"]["data"]) for event in before_hiding] == [
        ("idea.published", {"title": HELD_TITLE, "strategyArea": before_hiding[0]["payload"]["data"]["strategyArea"]}),
        ("idea.answered", {"officialStatus": "ACCEPTED", "officialAnswer": "Wird umgesetzt."}),
    ]
    # The tombstone, and what the idea was is no longer in the log while it is hidden.
    assert [(event["type"], event["payload"]["data"]) for event in after_hiding] == [
        ("idea.published", {}),
        ("idea.answered", {}),
        ("idea.removed", {}),
    ]
    assert HELD_TITLE not in json.dumps(after_hiding)
    assert await _types(graphql) == [
        ("idea.published", idea),
        ("idea.answered", idea),
        ("idea.removed", idea),
        ("idea.published", idea),
    ]


async def test_automated_decisions_write_only_publications(graphql: GraphQLClient, runtime: Runtime) -> None:
    published = await _published_idea(runtime)
    rejected = await factories.idea_row(runtime, await factories.user(runtime), title="Ich bring dich um, Planer")
    held = await factories.idea_row(runtime, await factories.user(runtime), title=HELD_TITLE)
    for idea_id in (rejected, held):
        await check(runtime, idea_id)

    assert await _types(graphql) == [("idea.published", global_id("Idea", published))]


async def test_withdrawing_a_published_idea_writes_a_tombstone_and_a_pending_one_nothing(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "events-author")
    published = await factories.idea_row(runtime, author.user_id)
    await check(runtime, published)
    pending = await factories.idea_row(runtime, author.user_id)

    for idea_id in (published, pending):
        body = await graphql(WITHDRAW, {"id": global_id("Idea", idea_id)}, headers=author.headers)
        assert body["data"]["withdrawIdea"]["__typename"] == "IdeaWithdrawn", body

    assert await _types(graphql) == [
        ("idea.published", global_id("Idea", published)),
        ("idea.withdrawn", global_id("Idea", published)),
    ]


async def test_comments_published_and_removed_and_forgotten_with_their_idea(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    idea_id = await _published_idea(runtime)
    kept = await factories.comment_row(runtime, idea_id, await factories.user(runtime))
    removed = await factories.comment_row(runtime, idea_id, await factories.user(runtime))
    pending = await factories.comment_row(runtime, idea_id, await factories.user(runtime))
    for comment_id in (kept, removed):
        await check(runtime, comment_id, SubjectKind.COMMENT)
    moderator = await _moderator(runtime, oidc_provider)

    await graphql(MODERATE, _decide("Comment", removed, "HIDE"), headers=moderator.headers)
    while_idea_public = await _feed(graphql, types=["comment.published", "comment.removed"])
    await graphql(MODERATE, _decide("Idea", idea_id, "REJECT"), headers=moderator.headers)

    idea = global_id("Idea", idea_id)
    assert [(event["type"], event["node"], event["payload"]["data"]) for event in while_idea_public] == [
        ("comment.published", global_id("Comment", kept), {"idea": idea}),
        ("comment.published", global_id("Comment", removed), {}),
        ("comment.removed", global_id("Comment", removed), {}),
    ]
    assert pending not in {event["node"] for event in while_idea_public}
    # The idea's rejection leaves nothing of it or of its comments in the log.
    assert all(event["payload"]["data"] == {} for event in await _feed(graphql))
    assert (await _types(graphql))[-1] == ("idea.removed", idea)


# ---------------------------------------------------------------- surveys


async def test_a_survey_published_closed_and_archived_writes_its_events(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    staff = await _staff(runtime, oidc_provider)
    by_hand, _ = await published_survey(graphql, runtime, staff, title="Radverkehr am Wall")
    when_due, _ = await published_survey(graphql, runtime, staff, title="Parken in der Altstadt")
    closed = await graphql(CLOSE_SURVEY, {"id": by_hand}, headers=staff.headers)
    archived = await graphql(ARCHIVE_SURVEY, {"id": by_hand}, headers=staff.headers)
    await move_closing_time(runtime, when_due, datetime.now(UTC) - timedelta(minutes=1))
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert len(await close_due_surveys(session)) == 1

    assert closed["data"]["closeSurvey"]["__typename"] == "SurveyClosed", closed
    assert archived["data"]["archiveSurvey"]["__typename"] == "SurveyArchived", archived
    events = await _feed(graphql)
    assert [(event["type"], event["node"]) for event in events] == [
        ("survey.published", by_hand),
        ("survey.published", when_due),
        ("survey.closed", by_hand),
        ("survey.removed", by_hand),
        ("survey.closed", when_due),
    ]
    assert [event["payload"]["data"].get("title") for event in events] == [
        None,
        "Parken in der Altstadt",
        None,
        None,
        "Parken in der Altstadt",
    ]


# ---------------------------------------------------------------- written exactly when the change commits


async def test_refused_and_failing_mutations_write_no_event(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    idea_id = await _published_idea(runtime)
    before = await _event_count(runtime)
    citizen = await person(runtime, oidc_provider, "events-citizen")
    staff_of_olpe = await _staff(runtime, oidc_provider, "olpe")
    idea = global_id("Idea", idea_id)
    answer = {"input": {"ideaId": idea, "status": "ACCEPTED", "answer": "Wird umgesetzt."}}

    moderator = await _moderator(runtime, oidc_provider)
    calls = [
        (ANSWER, answer, citizen),
        (ANSWER, answer, staff_of_olpe),
        (ANSWER, {"input": {**answer["input"], "answer": " "}}, await _staff(runtime, oidc_provider)),
        (MODERATE, _decide("Idea", idea_id, "HIDE"), citizen),
        (MODERATE, _decide("Idea", idea_id, "RESTORE"), moderator),
        (WITHDRAW, {"id": idea}, citizen),
    ]

    outcomes = []
    for document, variables, who in calls:
        body = await graphql(document, variables, headers=who.headers)
        result = next(iter((body.get("data") or {}).values()), None)
        outcomes.append(result["code"] if result else body["errors"][0]["extensions"]["code"])

    assert outcomes == [
        "FORBIDDEN",
        "FORBIDDEN",
        "ANSWER_LENGTH",
        "FORBIDDEN",
        "DECISION_NOT_APPLICABLE",
        "FORBIDDEN",
    ]
    assert await _event_count(runtime) == before


async def test_an_event_rolls_back_with_its_change(runtime: Runtime) -> None:
    idea_id = await _published_idea(runtime)
    town_id = await factories.town(runtime)
    viewer = Viewer(user_id=await factories.user(runtime), grants=frozenset({Grant(Role.MODERATOR, town_id)}))
    before = await _event_count(runtime)

    class Abort(Exception):
        pass

    written_inside = []

    async def hide_then_fail() -> None:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await moderate_submission(
                session, viewer, kind=SubjectKind.IDEA, subject_id=idea_id, decision=Decision.HIDE, reason="Weg."
            )
            written_inside.append(await session.scalar(select(func.count()).select_from(Event)))
            raise Abort

    with pytest.raises(Abort):
        await hide_then_fail()

    assert written_inside == [before + 1]

    assert await _event_count(runtime) == before
    assert (await factories.load_idea(runtime, idea_id)).lifecycle == Lifecycle.PUBLISHED.value


# ---------------------------------------------------------------- public facts only


async def test_payloads_hold_only_what_anonymous_callers_can_read(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    author = await person(runtime, oidc_provider, "events-private-author", name="Petra Privat")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(update(User).where(User.id == author.user_id).values(email="petra@example.org"))
    idea_id = await factories.idea_row(runtime, author.user_id, body="Bänke am Wall, bitte mit Lehne.")
    await check(runtime, idea_id)
    comment_id = await factories.comment_row(runtime, idea_id, author.user_id)
    await check(runtime, comment_id, SubjectKind.COMMENT)
    held = await factories.idea_row(runtime, author.user_id, title=HELD_TITLE, body=SECRET_BODY)
    await check(runtime, held)
    staff = await _staff(runtime, oidc_provider)
    await published_survey(graphql, runtime, staff)

    events = await _feed(graphql)

    assert {event["type"] for event in events} == {"idea.published", "comment.published", "survey.published"}
    text = json.dumps(events, ensure_ascii=False)
    for private in ("petra@example.org", "Petra Privat", str(author.user_id), HELD_TITLE, SECRET_BODY):
        assert private not in text
    soest = await town_global_id(runtime, "soest")
    for event in events:
        payload = event["payload"]
        assert set(payload) == {"version", "sequence", "type", "occurredAt", "town", "node", "data"}
        assert payload["version"] == 1
        assert (payload["type"], payload["node"], payload["sequence"]) == (
            event["type"],
            event["node"],
            event["sequence"],
        )
        assert payload["town"] == {"id": soest, "slug": "soest"} == {"id": event["townId"], "slug": event["townSlug"]}
        # Every event names a node anonymous callers can fetch, and every value of its data is on that node or public.
        node = await graphql(NODE, {"id": event["node"]})
        assert node["data"]["node"] is not None, event


# ---------------------------------------------------------------- the feed


async def test_paging_with_after_reads_every_event_once_in_order(graphql: GraphQLClient, runtime: Runtime) -> None:
    ideas = [await _published_idea(runtime, number) for number in range(5)]

    pages = []
    after = None
    while True:
        body = await graphql(EVENTS, {"first": 2, "after": after})
        page = body["data"]["events"]
        pages.append([edge["node"]["node"] for edge in page["edges"]])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    after = page["pageInfo"]["endCursor"]

    assert pages == [
        [global_id("Idea", ideas[0]), global_id("Idea", ideas[1])],
        [global_id("Idea", ideas[2]), global_id("Idea", ideas[3])],
        [global_id("Idea", ideas[4])],
    ]
    sequences = [int(event["sequence"]) for event in await _feed(graphql)]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 5
    # A follower that has read everything gets an empty page, then the next event.
    assert (await graphql(EVENTS, {"after": after}))["data"]["events"]["edges"] == []
    newer = await _published_idea(runtime, 5)
    last = (await graphql(EVENTS, {"after": after}))["data"]["events"]["edges"]
    assert [edge["node"]["node"] for edge in last] == [global_id("Idea", ideas[4]), global_id("Idea", newer)][1:]


async def test_town_and_type_filters(graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider) -> None:
    in_soest = await _published_idea(runtime)
    in_olpe = await _published_idea(runtime, 1, slug="olpe")
    staff = await _staff(runtime, oidc_provider, "olpe")
    survey, _ = await published_survey(graphql, runtime, staff, town="olpe")

    olpe = await town_global_id(runtime, "olpe")
    assert await _types(graphql, town=olpe) == [
        ("idea.published", global_id("Idea", in_olpe)),
        ("survey.published", survey),
    ]
    assert await _types(graphql, town=await town_global_id(runtime, "soest")) == [
        ("idea.published", global_id("Idea", in_soest))
    ]
    assert await _types(graphql, types=["survey.published", "survey.closed"]) == [("survey.published", survey)]
    assert await _types(graphql, town=olpe, types=["idea.published"]) == [
        ("idea.published", global_id("Idea", in_olpe))
    ]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 101},
        {"first": 0},
        {"after": "kein-cursor"},
        {"types": ["idea.deleted"]},
        {"types": []},
        {"town": "bm90LWEtdG93bg=="},
    ],
)
async def test_bad_arguments_are_refused_with_a_german_message(
    graphql: GraphQLClient, runtime: Runtime, variables: dict[str, Any]
) -> None:
    await _published_idea(runtime)

    body = await graphql(EVENTS, variables)

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert any(word in error["message"] for word in ("muss", "Ungültig", "Ereignisart", "ungültig")), error


async def test_the_purge_forgets_events_older_than_30_days(graphql: GraphQLClient, runtime: Runtime) -> None:
    old, recent = await _published_idea(runtime, 0), await _published_idea(runtime, 1)
    async with runtime.unit_of_work() as uow, uow.session() as session:
        await session.execute(
            update(Event).where(Event.subject_id == old).values(created_at=func.now() - timedelta(days=30, minutes=1))
        )
        await session.execute(
            update(Event).where(Event.subject_id == recent).values(created_at=func.now() - timedelta(days=29))
        )

    shown = await _types(graphql)
    await purge({"runtime": runtime})

    assert shown == [("idea.published", global_id("Idea", recent))]
    async with runtime.unit_of_work() as uow, uow.session() as session:
        kept = (await session.scalars(select(Event.subject_id))).all()
    assert kept == [recent]


async def test_a_follower_never_sees_an_event_before_an_earlier_one_commits(
    graphql: GraphQLClient, runtime: Runtime
) -> None:
    """Sequences are drawn at insert; events become visible in their order, so `after` never skips a late commit."""
    soest = await factories.town(runtime)
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    seen_while_first_open: list[list[tuple[str, str]]] = []

    async def write(subject_id: uuid.UUID) -> None:
        async with runtime.unit_of_work() as uow, uow.session() as session:
            await record(session, EventType.SURVEY_CLOSED, town_id=soest, subject_type="Survey", subject_id=subject_id)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        await record(session, EventType.SURVEY_CLOSED, town_id=soest, subject_type="Survey", subject_id=first_id)
        second = asyncio.create_task(write(second_id))
        await asyncio.sleep(0.5)
        seen_while_first_open.append(await _types(graphql))
    await asyncio.wait_for(second, timeout=10)

    assert seen_while_first_open == [[]]
    assert await _types(graphql) == [
        ("survey.closed", global_id("Survey", first_id)),
        ("survey.closed", global_id("Survey", second_id)),
    ]
