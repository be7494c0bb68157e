"""A data export holds what is about the person and never rows about others: two people whose activity overlaps
everywhere (each supports, comments on, reports, answers and moderates the other's contributions, grants the
other a role, verifies the other's organisation, confirms the other's attendance, and both answer one survey)
find nothing of the other in their export, section by section."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.privacy.document import SECTIONS, build_document
from tests.conftest import GraphQLClient
from tests.support.ideas import comment_gid, insert_comment_directly, publish_directly, row_id, submit, town_ref
from tests.support.mail import give_address
from tests.support.oidc_provider import OidcProvider
from tests.support.people import Person, person
from tests.support.surveys import answer, published_survey, standard_answers
from tests.support.volunteering import (
    REGISTER,
    VERIFY,
    Organisation,
    added_shift,
    move_shift_directly,
    published_offer,
    sign_up,
)

SUPPORT = "mutation S($id: ID!) { supportIdea(ideaId: $id) { __typename } }"
REPORT = """
mutation R($id: ID!, $text: String!) { reportContent(input: {ideaId: $id, reason: SPAM, text: $text}) { __typename } }
"""
ANSWER = "mutation A($input: AnswerIdeaInput!) { answerIdea(input: $input) { __typename } }"
MODERATE = "mutation M($input: ModerateSubmissionInput!) { moderateSubmission(input: $input) { __typename } }"
GRANT = "mutation G($input: RoleInput!) { grantRole(input: $input) { __typename } }"
CONFIRM = """
mutation C($input: ConfirmAttendanceInput!) {
  confirmAttendance(input: $input) { __typename ... on UserError { code message } }
}
"""
OFFICE = ((Role.STAFF, "soest"), (Role.ADMIN, "soest"))


def _ok(result: dict[str, object], field: str) -> None:
    data = result.get("data")
    assert isinstance(data, dict), result
    payload = data[field]
    assert isinstance(payload, dict), result
    assert payload["__typename"] not in {"InvalidInput", "NotFound", "Forbidden"}, result


async def _overlapping_lives(graphql: GraphQLClient, runtime: Runtime, provider: OidcProvider) -> dict[str, Person]:
    soest = await town_ref(graphql, "soest")
    people = {
        name: await person(runtime, provider, name.lower(), roles_held=OFFICE, name=f"{name} Beispiel")
        for name in ("Anna", "Bernd")
    }
    for name, someone in people.items():
        await give_address(runtime, someone, f"{name.lower()}@mail.example")
    ideas = {}
    comments = {}
    for name, someone in people.items():
        ideas[name] = await submit(graphql, someone, soest, title=f"Idee {name}s", body=f"Vorschlag {name}s")
        await publish_directly(runtime, ideas[name])
    pairs = (("Anna", "Bernd"), ("Bernd", "Anna"))
    for me, other in pairs:
        comments[me] = await insert_comment_directly(
            runtime, idea_id=row_id(ideas[other]), author_id=people[me].user_id, body=f"Kommentar {me}s"
        )
    for me, other in pairs:
        headers = people[me].headers
        await insert_comment_directly(
            runtime,
            idea_id=row_id(ideas[me]),
            author_id=people[me].user_id,
            body=f"Antwort {me}s",
            parent_id=comments[other],
        )
        _ok(await graphql(SUPPORT, {"id": ideas[other]}, headers=headers), "supportIdea")
        _ok(await graphql(REPORT, {"id": ideas[other], "text": f"Meldung {me}s"}, headers=headers), "reportContent")
        answer_input = {"ideaId": ideas[other], "status": "UNDER_REVIEW", "answer": f"Stellungnahme {me}s"}
        _ok(await graphql(ANSWER, {"input": answer_input}, headers=headers), "answerIdea")
        decision = {"subjectId": comment_gid(comments[other]), "decision": "HIDE", "reason": f"Notiz {me}s"}
        _ok(await graphql(MODERATE, {"input": decision}, headers=headers), "moderateSubmission")
        grant = {"userId": to_base64("User", people[other].user_id), "role": "MODERATOR", "townId": soest.id}
        _ok(await graphql(GRANT, {"input": grant}, headers=headers), "grantRole")

    # Each registers an organisation that the other verifies, offers a shift, and confirms the other's attendance.
    shifts = {}
    for me, other in pairs:
        registered = await graphql(
            REGISTER, {"input": {"townId": soest.id, "name": f"Verein {me}s"}}, headers=people[me].headers
        )
        organisation_id = registered["data"]["registerOrganisation"]["organisation"]["id"]
        _ok(await graphql(VERIFY, {"id": organisation_id}, headers=people[other].headers), "verifyOrganisation")
        organisation = Organisation(id=organisation_id, manager=people[me], town_slug="soest")
        offer_id = await published_offer(graphql, organisation, title=f"Angebot {me}s")
        shifts[me] = await added_shift(graphql, organisation, offer_id, capacity=3)
    for me, other in pairs:
        signed = await sign_up(graphql, people[other], shifts[me])
        assert signed["__typename"] == "SignedUpForShift", signed
        past = datetime.now(UTC) - timedelta(days=2)
        await move_shift_directly(runtime, shifts[me], starts_at=past, ends_at=past + timedelta(hours=2))
        confirmed = await graphql(
            CONFIRM, {"input": {"signUpId": signed["signUp"]["id"], "attended": True}}, headers=people[me].headers
        )
        assert confirmed["data"]["confirmAttendance"]["__typename"] == "AttendanceConfirmed", confirmed

    # One named survey (Anna's), answered by both with a free text of their own.
    survey_id, questions = await published_survey(graphql, runtime, people["Anna"], isAnonymous=False)
    for name, someone in people.items():
        answered = await answer(
            graphql, someone, survey_id, standard_answers(questions, text_answer=f"Freitext {name}s")
        )
        assert answered["__typename"] == "SurveyAnswered", answered
    return people


async def _rows_about(runtime: Runtime, someone: Person) -> list[str]:
    """Ids of rows about the person (not public contributions): grants, sign-ups, reports, e-mails, responses."""
    async with runtime.engine.connect() as connection:
        found = await connection.scalars(
            text(
                "SELECT id::text FROM role_grants WHERE user_id = :id "
                "UNION ALL SELECT id::text FROM volunteer_sign_ups WHERE user_id = :id "
                "UNION ALL SELECT id::text FROM reports WHERE reporter_id = :id "
                "UNION ALL SELECT id::text FROM notifications WHERE user_id = :id "
                "UNION ALL SELECT id::text FROM survey_responses WHERE respondent_id = :id"
            ),
            {"id": someone.user_id},
        )
        return list(found)


async def test_each_export_holds_nothing_of_the_other_person_in_any_section(
    graphql: GraphQLClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    people = await _overlapping_lives(graphql, runtime, oidc_provider)
    for me, other in (("Anna", "Bernd"), ("Bernd", "Anna")):
        async with runtime.unit_of_work() as uow, uow.session() as session:
            document = await build_document(session, people[me].user_id)
        rows_of_other = await _rows_about(runtime, people[other])
        assert len(rows_of_other) >= 8
        # Their id, name, address, the rows about them, and what they wrote as a citizen or manager.
        written = ("Idee", "Vorschlag", "Kommentar", "Antwort", "Meldung", "Verein", "Angebot", "Freitext")
        markers = [
            str(people[other].user_id),
            f"{other} Beispiel",
            f"{other.lower()}@mail.example",
            *rows_of_other,
            *(f"{what} {other}s" for what in written),
        ]
        # What they wrote in an office to this person reaches them by e-mail, and the town's official answer is
        # part of the person's idea; they are found there only.
        addressed = {"Stellungnahme": {"emails", "ideas"}, "Notiz": {"emails"}}
        for section, _, _ in SECTIONS:
            content = json.dumps(document[section], ensure_ascii=False)
            foreign = [f"{what} {other}s" for what, allowed in addressed.items() if section not in allowed]
            for marker in markers + foreign:
                assert marker not in content, (me, section, marker, content[:2000])
        # Not vacuous: each section the overlap touches holds the person's own rows.
        mine = str(people[me].user_id)
        for section in (
            "account",
            "roles",
            "ideas",
            "comments",
            "supports",
            "reports",
            "officialAnswersGiven",
            "moderationDecisionsTaken",
            "auditLog",
            "emails",
            "organisations",
            "volunteerSignUps",
            "surveyResponses",
            "surveyAnswers",
        ):
            assert document[section], (me, section)
        assert all(row["user_id"] == mine for row in document["volunteerSignUps"])
        assert [row["name"] for row in document["organisations"]] == [f"Verein {me}s"]
        assert {row["text"] for row in document["surveyAnswers"] if row["text"]} == {f"Freitext {me}s"}
        assert {row["answer"] for row in document["officialAnswersGiven"]} == {f"Stellungnahme {me}s"}
        assert {row["note"] for row in document["moderationDecisionsTaken"]} == {f"Notiz {me}s"}
        assert document["attendanceConfirmed"], me
        assert uuid.UUID(document["personId"]) == people[me].user_id
