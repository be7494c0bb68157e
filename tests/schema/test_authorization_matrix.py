"""The authorization matrix: every root query and mutation, and the nested fields that carry personal or moderation
data, called through /graphql with real tokens by every kind of caller, against what each caller may do.

A new root field fails `test_every_root_field_has_a_matrix_entry` until it gets a row here. Each row names a
representative call (a document and a setup that builds its variables from objects in Soest) and the outcome per
caller: "ok" (data, or the success member of the result union), "UNAUTHENTICATED" or "FORBIDDEN" (a top-level
error), "null" (the object is not there for this caller), "empty" (a list the caller sees nothing of) or the code of
a typed user error such as "NOT_FOUND". Calls that change state get fresh objects per caller, so that one caller's
success does not decide the next caller's outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from graphql import GraphQLObjectType
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from schema.root import build_schema
from service.auth.viewer import Role
from service.ideas.models import Lifecycle
from service.moderation.models import ModerationTerm
from service.notifications.service import notify
from service.surveys.jobs import SurveyRef
from tests.conftest import GraphQLClient
from tests.support.ideas import (
    TownRef,
    comment_gid,
    idea_gid,
    insert_comment_directly,
    insert_idea_directly,
    row_id,
    town_ref,
)
from tests.support.mail import give_address
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import (
    CLOSE_SURVEY,
    DRAFT_SURVEY,
    PUBLISH_SURVEY,
    SET_QUESTIONS,
    STANDARD_QUESTIONS,
    answer,
    set_home_town,
    standard_answers,
)
from tests.support.surveys import in_days as survey_in_days
from tests.support.volunteering import ADD_SHIFT, DRAFT, PUBLISH, REGISTER, SIGN_UP, VERIFY, move_shift_directly
from tests.support.volunteering import in_days as shift_in_days
from workers.jobs.surveys import compute_results as results_job

Roles = tuple[tuple[Role, str | None], ...]

# Everyone who may call; the objects under test are in Soest. None is nobody logged in.
CALLERS: dict[str, Roles | None] = {
    "anonymous": None,
    "citizen of Soest": (),
    "citizen of Olpe": (),
    "moderator of Soest": ((Role.MODERATOR, "soest"),),
    "moderator of Olpe": ((Role.MODERATOR, "olpe"),),
    "staff of Soest": ((Role.STAFF, "soest"),),
    "staff of Olpe": ((Role.STAFF, "olpe"),),
    "admin of Soest": ((Role.ADMIN, "soest"),),
    "admin of Olpe": ((Role.ADMIN, "olpe"),),
    "region admin": ((Role.REGION_ADMIN, None),),
    "region staff": ((Role.REGION_STAFF, None),),
    # Registers (and so manages) every organisation of the matrix.
    "organisation manager": (),
    # Manages an organisation of Soest of its own, none of the matrix's.
    "manager of another organisation": (),
}
HOME_TOWNS = {"citizen of Soest": "soest", "citizen of Olpe": "olpe"}

EVERYONE = frozenset(CALLERS)
LOGGED_IN = EVERYONE - {"anonymous"}
MODERATORS_OF_SOEST = frozenset({"moderator of Soest", "admin of Soest", "region admin"})
ADMINS_OF_SOEST = frozenset({"admin of Soest", "region admin"})
# A town's admins act as its staff (surveys, official answers, organisations), region admins everywhere.
STAFF_OF_SOEST = frozenset({"staff of Soest", "admin of Soest", "region admin"})
REPORT_READERS = frozenset({"staff of Soest", "admin of Soest", "region admin", "region staff"})
MANAGER = frozenset({"organisation manager"})
AUTHOR = frozenset({"citizen of Soest"})


def allowed(
    who: Iterable[str], *, others: str = "FORBIDDEN", anonymous: str | None = None, **exceptions: str
) -> dict[str, str]:
    """The outcome per caller: "ok" for `who`; refused callers get `others` (anonymous UNAUTHENTICATED unless said)."""
    permitted = frozenset(who)
    outcomes: dict[str, str] = {}
    for name in CALLERS:
        if name in permitted:
            outcomes[name] = "ok"
        elif name == "anonymous":
            outcomes[name] = anonymous or ("UNAUTHENTICATED" if others == "FORBIDDEN" else others)
        else:
            outcomes[name] = others
    for key, value in exceptions.items():
        name = key.replace("_", " ")
        assert name in CALLERS, key
        outcomes[name] = value
    return outcomes


@dataclass
class World:
    """The callers, the towns as the API gives them, and builders of fresh objects in Soest."""

    graphql: GraphQLClient
    runtime: Runtime
    provider: OidcProvider
    people: dict[str, Person | None]
    soest: TownRef
    olpe: TownRef
    author: Person
    serial: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def who(self, name: str) -> Person:
        found = self.people[name]
        assert found is not None
        return found

    async def ok(self, document: str, variables: dict[str, Any], as_: Person, field_name: str) -> dict[str, Any]:
        body = await self.graphql(document, variables, headers=as_.headers)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"][field_name]
        assert "code" not in result, result
        return result

    async def stranger(self) -> Person:
        return await person(self.runtime, self.provider, f"stranger-{self.next()}")

    # Ideas and comments.
    async def idea(self, lifecycle: Lifecycle = Lifecycle.PUBLISHED, *, author: Person | None = None) -> uuid.UUID:
        return await insert_idea_directly(
            self.runtime,
            author_id=(author or self.author).user_id,
            town="soest",
            title=f"Mehr Bänke am Wall {self.next()}",
            lifecycle=lifecycle,
        )

    async def comment(self, lifecycle: Lifecycle = Lifecycle.PUBLISHED) -> uuid.UUID:
        idea = await self.idea()
        return await insert_comment_directly(
            self.runtime,
            idea_id=idea,
            author_id=self.who("citizen of Soest").user_id,
            body="Gute Idee!",
            lifecycle=lifecycle,
        )

    # Surveys, made by the staff of Soest.
    async def draft_survey(self, **fields: Any) -> str:
        survey_input = {"townId": self.soest.id, "title": f"Mobilität {self.next()}", "closesAt": survey_in_days(7)}
        drafted = await self.ok(
            DRAFT_SURVEY, {"input": survey_input | fields}, self.who("staff of Soest"), "draftSurvey"
        )
        survey_id: str = drafted["survey"]["id"]
        return survey_id

    async def survey_with_questions(self, **fields: Any) -> tuple[str, list[str]]:
        survey_id = await self.draft_survey(**fields)
        variables = {"input": {"surveyId": survey_id, "questions": STANDARD_QUESTIONS}}
        result = await self.ok(SET_QUESTIONS, variables, self.who("staff of Soest"), "setSurveyQuestions")
        return survey_id, [question["id"] for question in result["survey"]["questions"]]

    async def published_survey(self, **fields: Any) -> tuple[str, list[str]]:
        survey_id, question_ids = await self.survey_with_questions(**fields)
        await self.ok(PUBLISH_SURVEY, {"id": survey_id}, self.who("staff of Soest"), "publishSurvey")
        return survey_id, question_ids

    async def answered_survey(self, *, close: bool, **fields: Any) -> str:
        """A survey answered by the author, its results computed; closed if `close`."""
        survey_id, question_ids = await self.published_survey(**fields)
        answered = await answer(self.graphql, self.author, survey_id, standard_answers(question_ids))
        assert answered["__typename"] == "SurveyAnswered", answered
        if close:
            await self.ok(CLOSE_SURVEY, {"id": survey_id}, self.who("staff of Soest"), "closeSurvey")
        assert await results_job({"runtime": self.runtime}, SurveyRef(row_id(survey_id))) == 1
        return survey_id

    # Volunteering: organisations of the organisation manager, verified by the staff of Soest.
    async def organisation(self, *, verified: bool = True, manager: Person | None = None) -> str:
        registered = await self.ok(
            REGISTER,
            {"input": {"townId": self.soest.id, "name": f"Tafel Soest {self.next()} e. V."}},
            manager or self.who("organisation manager"),
            "registerOrganisation",
        )
        organisation_id: str = registered["organisation"]["id"]
        if verified:
            await self.ok(VERIFY, {"id": organisation_id}, self.who("staff of Soest"), "verifyOrganisation")
        return organisation_id

    async def offer(self, *, published: bool = True, manager: Person | None = None) -> str:
        manager = manager or self.who("organisation manager")
        organisation_id = await self.organisation(manager=manager)
        fields = {
            "title": "Lebensmittel ausgeben",
            "description": "Wir geben montags Lebensmittel an Bedürftige aus und suchen helfende Hände.",
            "address": "Marktstraße 1, 59494 Soest",
            "contact": "helfen@tafel-soest.example",
        }
        variables = {
            "input": {"organisationId": organisation_id, "strategyAreaId": self.soest.area_ids[0], "fields": fields}
        }
        drafted = await self.ok(DRAFT, variables, manager, "draftOffer")
        offer_id: str = drafted["offer"]["id"]
        if published:
            await self.ok(PUBLISH, {"id": offer_id}, manager, "publishOffer")
        return offer_id

    async def shift(self, *, capacity: int = 3, manager: Person | None = None) -> str:
        manager = manager or self.who("organisation manager")
        offer_id = await self.offer(manager=manager)
        # A day of its own: a person is not signed up twice at the same time.
        start = shift_in_days(7 + self.next())
        variables = {
            "input": {
                "offerId": offer_id,
                "startsAt": start.isoformat(),
                "endsAt": (start + timedelta(hours=3)).isoformat(),
                "capacity": capacity,
            }
        }
        added = await self.ok(ADD_SHIFT, variables, manager, "addShift")
        shift_id: str = added["shift"]["id"]
        return shift_id

    async def sign_up(self, shift_id: str, volunteer: Person) -> dict[str, Any]:
        return await self.ok(SIGN_UP, {"id": shift_id}, volunteer, "signUpForShift")

    async def citizens_sign_up(self, *, orphaned: bool = False) -> tuple[str, str]:
        """(shift id, sign-up id) of the citizen of Soest on a shift a week from now; `orphaned`: of an
        organisation whose only manager then deleted her account."""
        manager = await self.stranger() if orphaned else None
        shift_id = await self.shift(manager=manager)
        signed = await self.sign_up(shift_id, self.who("citizen of Soest"))
        if manager is not None:
            await self.ok(DELETE_ACCOUNT, {}, manager, "deleteMyAccount")
        return shift_id, signed["signUp"]["id"]

    async def orphaned_organisation(self) -> str:
        manager = await self.stranger()
        organisation_id = await self.organisation(manager=manager)
        await self.ok(DELETE_ACCOUNT, {}, manager, "deleteMyAccount")
        return organisation_id

    async def stranger_with_address(self) -> tuple[Person, str]:
        someone = await self.stranger()
        email = f"person-{self.next()}@verein.example"
        await give_address(self.runtime, someone, email)
        return someone, email


Setup = Callable[[World, Person | None], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Entry:
    document: str
    setup: Setup
    expected: dict[str, str]
    # Where the outcome is read, below `data`; the root field unless a nested field is what the row is about.
    path: tuple[str, ...] = ()
    # Set when the expected outcome is what DESIGN.md asks for and the code does not do it yet.
    xfail: str | None = None


async def no_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {}


def gid(type_name: str, value: uuid.UUID) -> str:
    return to_base64(type_name, str(value))


# Setups: each builds what its call needs and returns the call's variables.


async def soest_slug(world: World, caller: Person | None) -> dict[str, Any]:
    return {"slug": "soest"}


async def soest_town(world: World, caller: Person | None) -> dict[str, Any]:
    return {"townId": world.soest.id}


async def report_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"town": world.soest.id}


async def own_pending_idea(world: World, caller: Person | None) -> dict[str, Any]:
    """A pending idea of the citizen of Soest."""
    idea = await world.idea(Lifecycle.PENDING, author=world.who("citizen of Soest"))
    return {"id": idea_gid(idea)}


async def own_pending_comment(world: World, caller: Person | None) -> dict[str, Any]:
    comment = await world.comment(Lifecycle.PENDING)
    return {"id": comment_gid(comment)}


async def published_idea(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": idea_gid(await world.idea())}


async def supported_idea(world: World, caller: Person | None) -> dict[str, Any]:
    """A published idea the caller supports (if logged in): withdrawing one's own support."""
    idea_id = idea_gid(await world.idea())
    if caller is not None:
        await world.ok(SUPPORT, {"id": idea_id}, caller, "supportIdea")
    return {"id": idea_id}


async def submit_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {
        "input": {
            "townId": world.soest.id,
            "strategyAreaId": world.soest.area_ids[0],
            "title": "Mehr Bänke am Wall",
            "body": "Auf dem Wallweg fehlen Sitzgelegenheiten für Ältere.",
        }
    }


async def edit_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"ideaId": (await own_pending_idea(world, caller))["id"], "title": "Bänke am Wall, bitte"}}


async def comment_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"ideaId": (await published_idea(world, caller))["id"], "body": "Das finde ich gut."}}


async def report_content_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"ideaId": (await published_idea(world, caller))["id"], "reason": "SPAM"}}


async def answer_idea_variables(world: World, caller: Person | None) -> dict[str, Any]:
    idea_id = (await published_idea(world, caller))["id"]
    return {"input": {"ideaId": idea_id, "status": "UNDER_REVIEW", "answer": "Wir prüfen das."}}


async def grant_variables(world: World, caller: Person | None) -> dict[str, Any]:
    target = await world.stranger()
    return {"input": {"userId": gid("User", target.user_id), "role": "MODERATOR", "townId": world.soest.id}}


async def revoke_variables(world: World, caller: Person | None) -> dict[str, Any]:
    target = await person(
        world.runtime, world.provider, f"moderator-{world.next()}", roles_held=((Role.MODERATOR, "soest"),)
    )
    return {"input": {"userId": gid("User", target.user_id), "role": "MODERATOR", "townId": world.soest.id}}


async def policy_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"townId": world.soest.id, "policy": "ALWAYS", "reportThreshold": 2}}


async def moderate_variables(world: World, caller: Person | None) -> dict[str, Any]:
    idea = await world.idea(Lifecycle.PENDING)
    return {"input": {"subjectId": idea_gid(idea), "decision": "PUBLISH", "reason": "Passt zu den Regeln."}}


async def appeal_variables(world: World, caller: Person | None) -> dict[str, Any]:
    """A fresh idea of the citizen of Soest, rejected by the moderator of Soest."""
    idea = await world.idea(Lifecycle.PENDING, author=world.who("citizen of Soest"))
    await world.ok(
        MODERATE,
        {"input": {"subjectId": idea_gid(idea), "decision": "REJECT", "reason": "Gegen die Regeln."}},
        world.who("moderator of Soest"),
        "moderateSubmission",
    )
    return {"input": {"subjectId": idea_gid(idea), "text": "Bitte noch einmal ansehen."}}


TERMS = ["schwurbler", "kackvogel", "dummbatz", "hohlbirne", "schnarchnase", "pfeifenkopf"]


async def add_term_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"townId": world.soest.id, "term": f"{TERMS[world.next() % len(TERMS)]}{'x' * world.serial}"}}


async def remove_term_variables(world: World, caller: Person | None) -> dict[str, Any]:
    async with world.runtime.unit_of_work() as uow, uow.session() as session:
        row = ModerationTerm(town_id=world.soest.row_id, term=f"schwurbler{'x' * world.next()}")
        session.add(row)
        await session.flush()
        term_id = row.id
    return {"input": {"termId": gid("ModerationTerm", term_id)}}


async def town_with_a_term(world: World, caller: Person | None) -> dict[str, Any]:
    await remove_term_variables(world, caller)
    return {"townId": world.soest.id}


async def draft_survey_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"townId": world.soest.id, "title": "Mobilität in der Innenstadt", "closesAt": survey_in_days(7)}}


async def draft_survey(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.draft_survey()}


async def update_survey_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"surveyId": await world.draft_survey(), "title": "Neuer Titel"}}


async def questions_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"surveyId": await world.draft_survey(), "questions": STANDARD_QUESTIONS[:2]}}


async def survey_with_questions(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": (await world.survey_with_questions())[0]}


async def published_survey(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": (await world.published_survey())[0]}


async def answer_survey_variables(world: World, caller: Person | None) -> dict[str, Any]:
    survey_id, question_ids = await world.published_survey()
    return {"input": {"surveyId": survey_id, "answers": standard_answers(question_ids)}}


async def running_survey_with_results(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.answered_survey(close=False, resultsPublic=True)}


async def closed_survey_keeping_results(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.answered_survey(close=True, resultsPublic=False)}


async def closed_survey_with_public_results(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.answered_survey(close=True, resultsPublic=True)}


async def register_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"townId": world.soest.id, "name": f"Heimatverein {world.next()}"}}


async def unverified_organisation(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.organisation(verified=False)}


async def draft_offer_variables(world: World, caller: Person | None) -> dict[str, Any]:
    fields = {
        "title": "Müll sammeln",
        "description": "Wir sammeln samstags Müll am Wall und suchen helfende Hände.",
        "address": "Wall 1, 59494 Soest",
        "contact": "helfen@verein.example",
    }
    organisation_id = await world.organisation()
    return {"input": {"organisationId": organisation_id, "strategyAreaId": world.soest.area_ids[0], "fields": fields}}


async def update_offer_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"offerId": await world.offer(), "fields": {"title": "Übernommen"}}}


async def drafted_offer(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.offer(published=False)}


async def published_offer(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.offer()}


async def add_shift_variables(world: World, caller: Person | None) -> dict[str, Any]:
    start = shift_in_days(8)
    return {
        "input": {
            "offerId": await world.offer(),
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(hours=2)).isoformat(),
            "capacity": 4,
        }
    }


async def shift(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.shift()}


async def update_shift_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"shiftId": await world.shift(), "capacity": 5}}


async def citizens_sign_up(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": (await world.citizens_sign_up())[1]}


async def shift_with_citizen(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": (await world.citizens_sign_up())[0]}


async def offered_place(world: World, caller: Person | None) -> dict[str, Any]:
    """The citizen of Soest waits for a full shift; the one person before cancels, and the place is offered."""
    shift_id = await world.shift(capacity=1)
    first = await world.stranger()
    taken = await world.sign_up(shift_id, first)
    waiting = await world.sign_up(shift_id, world.who("citizen of Soest"))
    assert waiting["signUp"]["status"] == "WAITLISTED", waiting
    await world.ok(CANCEL_SIGN_UP, {"id": taken["signUp"]["id"]}, first, "cancelSignUp")
    return {"id": waiting["signUp"]["id"]}


async def shift_of_an_orphaned_organisation(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": (await world.citizens_sign_up(orphaned=True))[0]}


async def attendance_at_an_orphaned_organisation(world: World, caller: Person | None) -> dict[str, Any]:
    shift_id, sign_up_id = await world.citizens_sign_up(orphaned=True)
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(world.runtime, shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    return {"input": {"signUpId": sign_up_id, "attended": True}}


async def verified_organisation(world: World, caller: Person | None) -> dict[str, Any]:
    return {"id": await world.organisation()}


async def add_manager_variables(world: World, caller: Person | None) -> dict[str, Any]:
    _someone, email = await world.stranger_with_address()
    return {"id": await world.organisation(), "email": email}


async def add_manager_to_an_orphan_variables(world: World, caller: Person | None) -> dict[str, Any]:
    _someone, email = await world.stranger_with_address()
    return {"id": await world.orphaned_organisation(), "email": email}


async def remove_manager_variables(world: World, caller: Person | None) -> dict[str, Any]:
    organisation_id = await world.organisation()
    co_manager, email = await world.stranger_with_address()
    variables = {"id": organisation_id, "email": email}
    await world.ok(ADD_MANAGER, variables, world.who("organisation manager"), "addOrganisationManager")
    return {"id": organisation_id, "user": gid("User", co_manager.user_id)}


async def attendance_variables(world: World, caller: Person | None) -> dict[str, Any]:
    shift_id, sign_up_id = await world.citizens_sign_up()
    start = datetime.now(UTC) - timedelta(hours=5)
    await move_shift_directly(world.runtime, shift_id, starts_at=start, ends_at=start + timedelta(hours=3))
    return {"input": {"signUpId": sign_up_id, "attended": True, "hours": 2.5}}


async def report_period(world: World, caller: Person | None) -> dict[str, Any]:
    return {"from": "2024-01-01", "to": "2024-12-31", "town": world.soest.id}


async def region_report_period(world: World, caller: Person | None) -> dict[str, Any]:
    return {"from": "2024-01-01", "to": "2024-12-31"}


async def someone_with_address(world: World, caller: Person | None) -> dict[str, Any]:
    """Soest and the address of a person to find."""
    _, email = await world.stranger_with_address()
    return {"townId": world.soest.id, "text": email}


async def moderated_town(world: World, caller: Person | None) -> dict[str, Any]:
    """Soest with a held idea (its moderation queue and audit log are not empty)."""
    idea = await world.idea(Lifecycle.PENDING)
    await world.ok(
        MODERATE,
        {"input": {"subjectId": idea_gid(idea), "decision": "REJECT", "reason": "Gegen die Regeln."}},
        world.who("moderator of Soest"),
        "moderateSubmission",
    )
    await world.idea(Lifecycle.PENDING)
    return {"townId": world.soest.id}


def mutation(name: str, arguments: str, call: str) -> str:
    return f"""
mutation M{arguments} {{
  {name}{call} {{ __typename ... on UserError {{ code }} }}
}}
"""


SUPPORT = mutation("supportIdea", "($id: ID!)", "(ideaId: $id)")
MODERATE = mutation("moderateSubmission", "($input: ModerateSubmissionInput!)", "(input: $input)")
CANCEL_SIGN_UP = mutation("cancelSignUp", "($id: ID!)", "(signUpId: $id)")
DELETE_ACCOUNT = mutation("deleteMyAccount", "", "(confirm: true)")
ADD_MANAGER = mutation("addOrganisationManager", "($id: ID!, $email: String!)", "(organisationId: $id, email: $email)")


def with_input(name: str, input_type: str) -> str:
    return mutation(name, f"($input: {input_type}!)", "(input: $input)")


def with_id(name: str, argument: str) -> str:
    return mutation(name, "($id: ID!)", f"({argument}: $id)")


async def another_persons_export(world: World, caller: Person | None) -> dict[str, Any]:
    await world.ok(mutation("exportMyData", "", ""), {}, world.author, "exportMyData")
    return {}


async def citizens_notification(world: World, caller: Person | None) -> dict[str, Any]:
    """A fresh notification to the citizen of Soest (as the outbox holds it after an event)."""
    citizen = world.who("citizen of Soest")
    async with world.runtime.unit_of_work() as uow, uow.session() as session:
        sent = notify(session, user_id=citizen.user_id, kind="idea.answered", subject="Antwort", body="Ihre Idee …")
    return {"id": to_base64("Notification", str(sent.id))}


async def soest_with_a_draft_survey(world: World, caller: Person | None) -> dict[str, Any]:
    await world.draft_survey()
    return {"slug": "soest"}


async def soest_with_an_unverified_organisation(world: World, caller: Person | None) -> dict[str, Any]:
    await world.organisation(verified=False)
    return {"slug": "soest"}


async def organisation_with_draft(world: World, caller: Person | None) -> dict[str, Any]:
    offer_id = await world.offer(published=False)
    body = await world.graphql(
        "query Q($id: ID!) { node(id: $id) { ... on VolunteerOffer { organisation { id } } } }",
        {"id": offer_id},
        headers=world.who("organisation manager").headers,
    )
    return {"id": body["data"]["node"]["organisation"]["id"]}


WEBHOOK_URL = "https://hooks.example.org/mitmachen"


async def webhook_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"townId": world.soest.id, "url": WEBHOOK_URL, "eventTypes": ["idea.published"]}}


async def webhook_subscription(world: World, caller: Person | None) -> dict[str, Any]:
    """A fresh subscription of Soest, made by its admin."""
    created = await world.ok(
        "mutation M($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {"
        " ... on WebhookSubscriptionCreated { subscription { id } } } }",
        await webhook_variables(world, caller),
        world.who("admin of Soest"),
        "createWebhookSubscription",
    )
    return {"id": created["subscription"]["id"]}


async def update_webhook_variables(world: World, caller: Person | None) -> dict[str, Any]:
    subscription = await webhook_subscription(world, caller)
    return {"input": {"subscriptionId": subscription["id"], "eventTypes": ["idea.answered"]}}


async def region_webhook_variables(world: World, caller: Person | None) -> dict[str, Any]:
    return {"input": {"url": WEBHOOK_URL, "eventTypes": ["idea.published"]}}


async def a_region_webhook(world: World, caller: Person | None) -> dict[str, Any]:
    await world.ok(
        "mutation M($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {"
        " ... on WebhookSubscriptionCreated { subscription { id } } } }",
        await region_webhook_variables(world, caller),
        world.who("region admin"),
        "createWebhookSubscription",
    )
    return {}


async def soest_with_a_webhook(world: World, caller: Person | None) -> dict[str, Any]:
    await webhook_subscription(world, caller)
    return {"slug": "soest"}


NODE_SURVEY = "query Q($id: ID!) {{ node(id: $id) {{ ... on Survey {{ {} }} }} }}"

QUERIES: dict[str, Entry] = {
    "regionWebhookSubscriptions": Entry(
        "{ regionWebhookSubscriptions { url } }", a_region_webhook, allowed({"region admin"})
    ),
    "towns": Entry("{ towns { slug } }", no_variables, allowed(EVERYONE)),
    "town": Entry("query Q($slug: String!) { town(slug: $slug) { id } }", soest_slug, allowed(EVERYONE)),
    "regionThemes": Entry("{ regionThemes { id } }", no_variables, allowed(EVERYONE)),
    "ideas": Entry("{ ideas { edges { node { id } } } }", no_variables, allowed(EVERYONE)),
    "me": Entry("{ me { email } }", no_variables, allowed(LOGGED_IN, anonymous="null")),
    "moderationSettings": Entry(
        "query Q($townId: ID!) { moderationSettings(townId: $townId) { policy } }", soest_town, allowed(EVERYONE)
    ),
    "moderationQueue": Entry(
        "query Q($townId: ID!) { moderationQueue(townId: $townId) { edges { node { reasons } } } }",
        moderated_town,
        allowed(MODERATORS_OF_SOEST),
    ),
    "auditLog": Entry(
        "query Q($townId: ID!) { auditLog(townId: $townId) { edges { node { id } } } }",
        moderated_town,
        allowed(MODERATORS_OF_SOEST),
    ),
    "moderationStatus": Entry(
        "query Q($id: ID!) { moderationStatus(subjectId: $id) { lifecycle } }",
        own_pending_idea,
        allowed(AUTHOR | MODERATORS_OF_SOEST, others="null", anonymous="UNAUTHENTICATED"),
    ),
    "townRoleHolders": Entry(
        "query Q($townId: ID!) { townRoleHolders(townId: $townId) { role person { email user { id } } } }",
        soest_town,
        allowed(ADMINS_OF_SOEST),
    ),
    "findPeople": Entry(
        "query Q($townId: ID!, $text: String!) { findPeople(townId: $townId, text: $text) { email user { id } } }",
        someone_with_address,
        allowed(ADMINS_OF_SOEST),
    ),
    "moderationTerms": Entry(
        "query Q($townId: ID!) { moderationTerms(townId: $townId) { term } }",
        town_with_a_term,
        allowed(MODERATORS_OF_SOEST),
    ),
    "survey": Entry(
        "query Q($id: ID!) { survey(id: $id) { id } }", draft_survey, allowed(STAFF_OF_SOEST, others="null")
    ),
    "offers": Entry("{ offers { edges { node { id } } } }", no_variables, allowed(EVERYONE)),
    "surveys": Entry("{ surveys { edges { node { id } } } }", no_variables, allowed(EVERYONE)),
    "events": Entry(
        "query Q($townId: ID!) { events(town: $townId) { edges { node { type payload } } } }",
        soest_town,
        allowed(EVERYONE),
    ),
    "organisation": Entry(
        "query Q($id: ID!) { organisation(id: $id) { id } }",
        unverified_organisation,
        allowed(STAFF_OF_SOEST | MANAGER, others="null"),
    ),
    # Someone else has asked for an export: nobody sees it but them.
    "myDataExports": Entry(
        "{ myDataExports { status } }", another_persons_export, allowed((), others="empty", anonymous="UNAUTHENTICATED")
    ),
    "myEngagements": Entry("{ myEngagements { signUps { status } } }", no_variables, allowed(LOGGED_IN)),
    "participationReport": Entry(
        "query Q($from: Date!, $to: Date!, $town: ID) { participationReport(from: $from, to: $to, town: $town) "
        "{ period } }",
        report_period,
        allowed(REPORT_READERS),
    ),
    "node": Entry(
        "query Q($id: ID!) { node(id: $id) { id } }",
        own_pending_idea,
        # Unpublished contributions: their authors and everyone who serves the town (staff answer ideas).
        allowed(AUTHOR | MODERATORS_OF_SOEST | STAFF_OF_SOEST, others="null"),
    ),
}

# Nested fields that carry personal data, answers or moderation details, reached through the root fields above.
NESTED: dict[str, Entry] = {
    "Town.webhookSubscriptions": Entry(
        "query Q($slug: String!) { town(slug: $slug) { webhookSubscriptions { url } } }",
        soest_with_a_webhook,
        allowed(ADMINS_OF_SOEST),
        path=("town", "webhookSubscriptions"),
    ),
    "Me.notifications": Entry(
        "{ me { notifications { edges { node { subject } } } } }",
        citizens_notification,
        allowed(AUTHOR, others="empty", anonymous="null"),
        path=("me", "notifications", "edges"),
    ),
    "Notification (node)": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Notification { subject } } }",
        citizens_notification,
        allowed(AUTHOR, others="null"),
        path=("node",),
    ),
    "Idea.moderation": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Idea { moderation { status } } } }",
        own_pending_idea,
        allowed(AUTHOR | MODERATORS_OF_SOEST, others="null"),
        path=("node", "moderation"),
    ),
    "Comment.moderation": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Comment { moderation { status } } } }",
        own_pending_comment,
        allowed(AUTHOR | MODERATORS_OF_SOEST, others="null"),
        path=("node", "moderation"),
    ),
    "Shift.roster": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Shift { roster { person { displayName } } } } }",
        shift_with_citizen,
        allowed(MANAGER),
        path=("node", "roster"),
    ),
    "SignUp (node)": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on SignUp { status } } }",
        citizens_sign_up,
        # Managers see sign-ups through Shift.roster only.
        allowed(AUTHOR, others="null"),
        path=("node",),
    ),
    "VolunteerOffer draft (node)": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on VolunteerOffer { status } } }",
        drafted_offer,
        allowed(MANAGER | STAFF_OF_SOEST, others="null"),
        path=("node",),
    ),
    "Survey.responsesCsv": Entry(
        NODE_SURVEY.format("responsesCsv"),
        running_survey_with_results,
        allowed(STAFF_OF_SOEST),
        path=("node", "responsesCsv"),
    ),
    "Survey.results while running": Entry(
        NODE_SURVEY.format("results { responseCount }"),
        running_survey_with_results,
        allowed(STAFF_OF_SOEST, others="null"),
        path=("node", "results"),
    ),
    "Survey.results closed, kept by the town": Entry(
        NODE_SURVEY.format("results { responseCount }"),
        closed_survey_keeping_results,
        allowed(STAFF_OF_SOEST, others="null"),
        path=("node", "results"),
    ),
    "Survey.results closed, public": Entry(
        NODE_SURVEY.format("results { responseCount }"),
        closed_survey_with_public_results,
        allowed(EVERYONE),
        path=("node", "results"),
    ),
    "Town.surveys drafts": Entry(
        "query Q($slug: String!) { town(slug: $slug) { surveys(status: DRAFT) { edges { node { id } } } } }",
        soest_with_a_draft_survey,
        allowed(STAFF_OF_SOEST, others="empty"),
        path=("town", "surveys", "edges"),
    ),
    "Town.organisations unverified": Entry(
        "query Q($slug: String!) { town(slug: $slug) { organisations(status: UNVERIFIED) { edges { node { id } } } } }",
        soest_with_an_unverified_organisation,
        # Managers see their own organisation while it waits for verification.
        allowed(STAFF_OF_SOEST | MANAGER, others="empty"),
        path=("town", "organisations", "edges"),
    ),
    "Organisation.offers drafts": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Organisation { offers { id } } } }",
        organisation_with_draft,
        allowed(MANAGER | STAFF_OF_SOEST, others="empty"),
        path=("node", "offers"),
    ),
    "Organisation.managers": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Organisation { managers { displayName } } } }",
        verified_organisation,
        allowed(MANAGER | STAFF_OF_SOEST),
        path=("node", "managers"),
    ),
    "Shift.roster of an organisation without manager": Entry(
        "query Q($id: ID!) { node(id: $id) { ... on Shift { roster { person { displayName } } } } }",
        shift_of_an_orphaned_organisation,
        # Its last manager deleted her account: the town's staff act for it.
        allowed(STAFF_OF_SOEST),
        path=("node", "roster"),
    ),
    "participationReport of the region": Entry(
        "query Q($from: Date!, $to: Date!) { participationReport(from: $from, to: $to) { period } }",
        region_report_period,
        allowed({"region admin", "region staff"}),
        path=("participationReport",),
    ),
}


SERVING_SOEST = MODERATORS_OF_SOEST | STAFF_OF_SOEST


def refused_unless_seen(who: frozenset[str], seeing: frozenset[str], unknown: str) -> dict[str, str]:
    """`who` may; others who can see the object are refused; to everyone else it does not exist (`unknown`)."""
    outcomes = allowed(who)
    for name, seen in outcomes.items():
        if seen == "FORBIDDEN" and name not in seeing:
            outcomes[name] = unknown
    return outcomes


# A survey draft exists only for the town's staff.
draft_outcomes = refused_unless_seen(STAFF_OF_SOEST, frozenset(), "UNKNOWN_SURVEY")
own_idea_outcomes = refused_unless_seen(AUTHOR, SERVING_SOEST, "UNKNOWN_IDEA")
# A subscription exists only for the admins of its town.
webhook_outcomes = refused_unless_seen(ADMINS_OF_SOEST, frozenset(), "UNKNOWN_WEBHOOK_SUBSCRIPTION")

MUTATIONS: dict[str, Entry] = {
    "createWebhookSubscription": Entry(
        with_input("createWebhookSubscription", "CreateWebhookSubscriptionInput"),
        webhook_variables,
        allowed(ADMINS_OF_SOEST),
    ),
    "updateWebhookSubscription": Entry(
        with_input("updateWebhookSubscription", "UpdateWebhookSubscriptionInput"),
        update_webhook_variables,
        webhook_outcomes,
    ),
    "pauseWebhookSubscription": Entry(
        with_id("pauseWebhookSubscription", "subscriptionId"), webhook_subscription, webhook_outcomes
    ),
    "resumeWebhookSubscription": Entry(
        with_id("resumeWebhookSubscription", "subscriptionId"), webhook_subscription, webhook_outcomes
    ),
    "rotateWebhookSecret": Entry(
        with_id("rotateWebhookSecret", "subscriptionId"), webhook_subscription, webhook_outcomes
    ),
    "deleteWebhookSubscription": Entry(
        with_id("deleteWebhookSubscription", "subscriptionId"), webhook_subscription, webhook_outcomes
    ),
    "submitIdea": Entry(with_input("submitIdea", "SubmitIdeaInput"), submit_variables, allowed(LOGGED_IN)),
    "editIdea": Entry(with_input("editIdea", "EditIdeaInput"), edit_variables, own_idea_outcomes),
    "withdrawIdea": Entry(with_id("withdrawIdea", "ideaId"), own_pending_idea, own_idea_outcomes),
    "supportIdea": Entry(SUPPORT, published_idea, allowed(LOGGED_IN)),
    "withdrawSupport": Entry(with_id("withdrawSupport", "ideaId"), supported_idea, allowed(LOGGED_IN)),
    "commentOnIdea": Entry(with_input("commentOnIdea", "CommentOnIdeaInput"), comment_variables, allowed(LOGGED_IN)),
    "reportContent": Entry(
        with_input("reportContent", "ReportContentInput"), report_content_variables, allowed(LOGGED_IN)
    ),
    "answerIdea": Entry(with_input("answerIdea", "AnswerIdeaInput"), answer_idea_variables, allowed(STAFF_OF_SOEST)),
    "chooseHomeTown": Entry(
        mutation("chooseHomeTown", "($slug: String!)", "(townSlug: $slug)"), soest_slug, allowed(LOGGED_IN)
    ),
    "grantRole": Entry(with_input("grantRole", "RoleInput"), grant_variables, allowed(ADMINS_OF_SOEST)),
    "revokeRole": Entry(with_input("revokeRole", "RoleInput"), revoke_variables, allowed(ADMINS_OF_SOEST)),
    "setModerationPolicy": Entry(
        with_input("setModerationPolicy", "SetModerationPolicyInput"), policy_variables, allowed(ADMINS_OF_SOEST)
    ),
    "moderateSubmission": Entry(MODERATE, moderate_variables, allowed(MODERATORS_OF_SOEST)),
    "appealDecision": Entry(with_input("appealDecision", "AppealDecisionInput"), appeal_variables, own_idea_outcomes),
    "addModerationTerm": Entry(
        with_input("addModerationTerm", "AddModerationTermInput"), add_term_variables, allowed(MODERATORS_OF_SOEST)
    ),
    "removeModerationTerm": Entry(
        with_input("removeModerationTerm", "RemoveModerationTermInput"),
        remove_term_variables,
        allowed(MODERATORS_OF_SOEST),
    ),
    "draftSurvey": Entry(
        with_input("draftSurvey", "DraftSurveyInput"), draft_survey_variables, allowed(STAFF_OF_SOEST)
    ),
    "updateSurvey": Entry(with_input("updateSurvey", "UpdateSurveyInput"), update_survey_variables, draft_outcomes),
    "setSurveyQuestions": Entry(
        with_input("setSurveyQuestions", "SetSurveyQuestionsInput"), questions_variables, draft_outcomes
    ),
    "publishSurvey": Entry(with_id("publishSurvey", "surveyId"), survey_with_questions, draft_outcomes),
    "closeSurvey": Entry(with_id("closeSurvey", "surveyId"), published_survey, allowed(STAFF_OF_SOEST)),
    "archiveSurvey": Entry(with_id("archiveSurvey", "surveyId"), draft_survey, draft_outcomes),
    "answerSurvey": Entry(with_input("answerSurvey", "AnswerSurveyInput"), answer_survey_variables, allowed(LOGGED_IN)),
    "registerOrganisation": Entry(
        with_input("registerOrganisation", "RegisterOrganisationInput"), register_variables, allowed(LOGGED_IN)
    ),
    "verifyOrganisation": Entry(
        with_id("verifyOrganisation", "organisationId"),
        unverified_organisation,
        refused_unless_seen(STAFF_OF_SOEST, MANAGER, "UNKNOWN_ORGANISATION"),
    ),
    "draftOffer": Entry(with_input("draftOffer", "DraftOfferInput"), draft_offer_variables, allowed(MANAGER)),
    "updateOffer": Entry(with_input("updateOffer", "UpdateOfferInput"), update_offer_variables, allowed(MANAGER)),
    "publishOffer": Entry(
        with_id("publishOffer", "offerId"),
        drafted_offer,
        refused_unless_seen(MANAGER, STAFF_OF_SOEST, "UNKNOWN_OFFER"),
    ),
    "closeOffer": Entry(with_id("closeOffer", "offerId"), published_offer, allowed(MANAGER)),
    "addShift": Entry(with_input("addShift", "AddShiftInput"), add_shift_variables, allowed(MANAGER)),
    "updateShift": Entry(with_input("updateShift", "UpdateShiftInput"), update_shift_variables, allowed(MANAGER)),
    "cancelShift": Entry(with_id("cancelShift", "shiftId"), shift, allowed(MANAGER)),
    "signUpForShift": Entry(with_id("signUpForShift", "shiftId"), shift, allowed(LOGGED_IN)),
    "cancelSignUp": Entry(CANCEL_SIGN_UP, citizens_sign_up, allowed(AUTHOR)),
    "setContactSharing": Entry(
        mutation("setContactSharing", "($id: ID!)", "(signUpId: $id, share: true)"), citizens_sign_up, allowed(AUTHOR)
    ),
    "confirmOfferedPlace": Entry(with_id("confirmOfferedPlace", "signUpId"), offered_place, allowed(AUTHOR)),
    "confirmAttendance": Entry(
        with_input("confirmAttendance", "ConfirmAttendanceInput"), attendance_variables, allowed(MANAGER)
    ),
    "addOrganisationManager": Entry(ADD_MANAGER, add_manager_variables, allowed(MANAGER)),
    "removeOrganisationManager": Entry(
        mutation("removeOrganisationManager", "($id: ID!, $user: ID!)", "(organisationId: $id, userId: $user)"),
        remove_manager_variables,
        allowed(MANAGER),
    ),
    "exportMyData": Entry(mutation("exportMyData", "", ""), no_variables, allowed(LOGGED_IN)),
    "deleteMyAccount": Entry(mutation("deleteMyAccount", "", "(confirm: true)"), no_variables, allowed(LOGGED_IN)),
    # Only one's own notifications: anyone else's id is not found, and nothing is marked.
    "markNotificationsRead": Entry(
        mutation("markNotificationsRead", "($id: ID!)", "(ids: [$id])"),
        citizens_notification,
        allowed(AUTHOR, others="NOT_FOUND", anonymous="UNAUTHENTICATED"),
    ),
    "recomputeTallies": Entry(
        mutation("recomputeTallies", "", ""),
        no_variables,
        # Any town's staff or admins may ask for the (idempotent, region-wide) recomputation.
        allowed(REPORT_READERS | {"staff of Olpe", "admin of Olpe"}),
    ),
}


# Root mutations again, in situations where other callers may: an organisation whose only manager deleted her
# account is acted for by the town's staff.
SITUATIONS: dict[str, Entry] = {
    "createWebhookSubscription for the whole region": Entry(
        with_input("createWebhookSubscription", "CreateWebhookSubscriptionInput"),
        region_webhook_variables,
        allowed({"region admin"}),
    ),
    "confirmAttendance at an organisation without manager": Entry(
        with_input("confirmAttendance", "ConfirmAttendanceInput"),
        attendance_at_an_orphaned_organisation,
        allowed(STAFF_OF_SOEST),
    ),
    "addOrganisationManager to an organisation without manager": Entry(
        ADD_MANAGER, add_manager_to_an_orphan_variables, allowed(STAFF_OF_SOEST)
    ),
}


def root_fields(type_name: str) -> set[str]:
    root = build_schema()._schema.get_type(type_name)
    assert isinstance(root, GraphQLObjectType)
    return set(root.fields)


def test_every_root_field_has_a_matrix_entry() -> None:
    assert root_fields("Query") == set(QUERIES)
    assert root_fields("Mutation") == set(MUTATIONS)


def test_a_person_as_others_see_them_is_a_display_name_and_nothing_more() -> None:
    user = build_schema()._schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert set(user.fields) == {"id", "displayName"}


def outcome(body: dict[str, Any], path: tuple[str, ...]) -> str:
    """What a caller got: a top-level error code, null, an empty list, a typed user error's code, or "ok"."""
    value: Any = body.get("data")
    for key in path:
        if value is None:
            break
        value = value.get(key)
    if body.get("errors"):
        assert value is None, body
        codes: set[str] = {error.get("extensions", {}).get("code", "UNEXPECTED") for error in body["errors"]}
        assert len(codes) == 1, body
        return codes.pop()
    if value is None:
        return "null"
    if isinstance(value, list):
        return "ok" if value else "empty"
    if isinstance(value, dict) and "code" in value:
        return str(value["code"])
    return "ok"


async def callers(runtime: Runtime, provider: OidcProvider) -> dict[str, Person | None]:
    people: dict[str, Person | None] = {}
    for name, held in CALLERS.items():
        if held is None:
            people[name] = None
            continue
        subject = "caller-" + name.replace(" ", "-").lower()
        people[name] = found = await person(runtime, provider, subject, roles_held=held, name=name.title())
        if name in HOME_TOWNS:
            await set_home_town(runtime, found.user_id, HOME_TOWNS[name])
    return people


async def world(graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider) -> World:
    built = World(
        graphql=graphql,
        runtime=runtime,
        provider=provider,
        people=await callers(runtime, provider),
        soest=await town_ref(graphql, "soest"),
        olpe=await town_ref(graphql, "olpe"),
        author=await person(runtime, provider, "idea-author", name="Ida Autorin"),
    )
    other = built.who("manager of another organisation")
    registered = await built.ok(
        REGISTER,
        {"input": {"townId": built.soest.id, "name": "Sportverein Soest e. V."}},
        other,
        "registerOrganisation",
    )
    await built.ok(VERIFY, {"id": registered["organisation"]["id"]}, built.who("staff of Soest"), "verifyOrganisation")
    return built


def rows(entries: dict[str, Entry], prefix: str) -> list[Any]:
    return [
        pytest.param(entry, id=f"{prefix}{name}", marks=[pytest.mark.xfail(reason=entry.xfail, strict=True)])
        if entry.xfail
        else pytest.param(entry, id=f"{prefix}{name}")
        for name, entry in entries.items()
    ]


@pytest.mark.parametrize(
    "entry", rows(QUERIES, "Query.") + rows(NESTED, "") + rows(MUTATIONS, "Mutation.") + rows(SITUATIONS, "Mutation.")
)
async def test_each_caller_gets_what_the_matrix_says(
    entry: Entry, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    built = await world(graphql, runtime, oidc_provider)
    changes_state = entry.document.lstrip().startswith("mutation")
    path = entry.path or (_root_field(entry.document),)
    shared = None if changes_state else await entry.setup(built, None)
    seen: dict[str, str] = {}
    for name, caller in built.people.items():
        variables = await entry.setup(built, caller) if shared is None else shared
        body = await graphql(entry.document, variables, headers=caller.headers if caller else {})
        seen[name] = outcome(body, path)
    assert seen == entry.expected


def _root_field(document: str) -> str:
    """The first field selected by the operation (the entries select one root field each)."""
    body = document.split("{", 1)[1]
    return body.strip().split("(", 1)[0].split("{", 1)[0].split()[0]
