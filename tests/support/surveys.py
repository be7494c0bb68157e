"""Surveys for tests: drafting, defining and publishing through the API as staff, answers that fit the standard
question set, and the few direct database writes that time-dependent tests need."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from strawberry.relay import to_base64

from mitmachen.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.schema.moderation.callers import town_global_id
from tests.support.ideas import row_id
from tests.support.people import Person, town_id

DRAFT_SURVEY = """
mutation DraftSurvey($input: DraftSurveyInput!) {
  draftSurvey(input: $input) {
    __typename
    ... on SurveyDrafted { survey { id status isAnonymous audience } }
    ... on UserError { code field message }
  }
}
"""
SET_QUESTIONS = """
mutation SetQuestions($input: SetSurveyQuestionsInput!) {
  setSurveyQuestions(input: $input) {
    __typename
    ... on SurveyQuestionsSet { survey { id questions { id kind position showIf { questionId anyOf } } } }
    ... on UserError { code field message }
  }
}
"""
PUBLISH_SURVEY = """
mutation Publish($id: ID!) {
  publishSurvey(surveyId: $id) {
    __typename
    ... on SurveyPublished { survey { id status isOpen } }
    ... on UserError { code field message }
  }
}
"""
CLOSE_SURVEY = """
mutation Close($id: ID!) {
  closeSurvey(surveyId: $id) {
    __typename
    ... on SurveyClosed { survey { id status isOpen } }
    ... on UserError { code field message }
  }
}
"""
ARCHIVE_SURVEY = """
mutation Archive($id: ID!) {
  archiveSurvey(surveyId: $id) {
    __typename
    ... on SurveyArchived { survey { id status } }
    ... on UserError { code field message }
  }
}
"""
ANSWER_SURVEY = """
mutation Answer($input: AnswerSurveyInput!) {
  answerSurvey(input: $input) {
    __typename
    ... on SurveyAnswered { survey { id responseCount myParticipation { tookPart } } }
    ... on UserError { code field message }
  }
}
"""

# One question of every kind, and a follow-up shown only to those who chose "Fahrrad" in the first.
STANDARD_QUESTIONS: list[dict[str, Any]] = [
    {
        "kind": "SINGLE_CHOICE",
        "prompt": "Wie kommen Sie in die Innenstadt?",
        "required": True,
        "options": ["Auto", "Fahrrad", "Bus"],
        "allowOther": True,
    },
    {
        "kind": "MULTIPLE_CHOICE",
        "prompt": "Was fehlt am Markt?",
        "options": ["Bänke", "Bäume", "Brunnen", "Toiletten"],
        "minSelections": 1,
        "maxSelections": 2,
    },
    {"kind": "FREE_TEXT", "prompt": "Was möchten Sie uns sagen?", "maxLength": 50},
    {"kind": "SCALE", "prompt": "Wie zufrieden sind Sie?", "scaleMin": 1, "scaleMax": 5, "minLabel": "gar nicht"},
    {"kind": "RANKING", "prompt": "Was ist am wichtigsten?", "options": ["Klima", "Verkehr", "Wohnen"]},
    {"kind": "NUMBER", "prompt": "Wie viele Kilometer fahren Sie täglich?", "numberMin": 0, "numberMax": 500},
    {
        "kind": "FREE_TEXT",
        "prompt": "Was würde Ihnen das Radfahren erleichtern?",
        "required": True,
        "showIf": {"questionIndex": 0, "anyOf": [1]},
    },
]


def survey_gid(survey_id: uuid.UUID) -> str:
    return to_base64("Survey", str(survey_id))


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def draft(graphql: GraphQLClient, runtime: Runtime, staff: Person, *, town: str = "soest", **fields: Any) -> str:
    survey_input = {
        "townId": await town_global_id(runtime, town),
        "title": "Mobilität in der Innenstadt",
        "closesAt": in_days(7),
        **fields,
    }
    result = (await graphql(DRAFT_SURVEY, {"input": survey_input}, headers=staff.headers))["data"]["draftSurvey"]
    assert result["__typename"] == "SurveyDrafted", result
    survey_id: str = result["survey"]["id"]
    return survey_id


async def set_questions(
    graphql: GraphQLClient, staff: Person, survey_id: str, questions: list[dict[str, Any]] | None = None
) -> list[str]:
    variables = {"input": {"surveyId": survey_id, "questions": STANDARD_QUESTIONS if questions is None else questions}}
    result = (await graphql(SET_QUESTIONS, variables, headers=staff.headers))["data"]["setSurveyQuestions"]
    assert result["__typename"] == "SurveyQuestionsSet", result
    return [question["id"] for question in result["survey"]["questions"]]


async def published_survey(
    graphql: GraphQLClient,
    runtime: Runtime,
    staff: Person,
    *,
    questions: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> tuple[str, list[str]]:
    """A published survey of Soest (unless `town` says otherwise) with the standard questions; (id, question ids)."""
    survey_id = await draft(graphql, runtime, staff, **fields)
    question_ids = await set_questions(graphql, staff, survey_id, questions)
    result = (await graphql(PUBLISH_SURVEY, {"id": survey_id}, headers=staff.headers))["data"]["publishSurvey"]
    assert result["__typename"] == "SurveyPublished", result
    return survey_id, question_ids


def standard_answers(
    question_ids: list[str], *, mode: int = 0, text_answer: str = "Mehr Radwege"
) -> list[dict[str, Any]]:
    """Valid answers to STANDARD_QUESTIONS; `mode` 1 chooses "Fahrrad" (and so answers the follow-up)."""
    answers: list[dict[str, Any]] = [
        {"questionId": question_ids[0], "optionIndexes": [mode]},
        {"questionId": question_ids[1], "optionIndexes": [0, 3]},
        {"questionId": question_ids[2], "text": text_answer},
        {"questionId": question_ids[3], "value": 4},
        {"questionId": question_ids[4], "optionIndexes": [2, 0, 1]},
        {"questionId": question_ids[5], "value": 12.5},
    ]
    if mode == 1:
        answers.append({"questionId": question_ids[6], "text": "Sichere Abstellplätze"})
    return answers


async def answer(
    graphql: GraphQLClient, person: Person, survey_id: str, answers: list[dict[str, Any]]
) -> dict[str, Any]:
    variables = {"input": {"surveyId": survey_id, "answers": answers}}
    body = await graphql(ANSWER_SURVEY, variables, headers=person.headers)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["answerSurvey"]
    return result


async def set_home_town(runtime: Runtime, user_id: uuid.UUID, slug: str) -> None:
    home = await town_id(runtime, slug)
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE users SET home_town_id = :town WHERE id = :id"), {"town": home, "id": user_id}
        )


async def move_closing_time(runtime: Runtime, survey_id: str, closes_at: datetime) -> None:
    """Let time pass: the closing time moves (the opening time too, when it would come after it)."""
    async with runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE surveys SET closes_at = :at, opens_at = NULL WHERE id = :id"),
            {"at": closes_at, "id": row_id(survey_id)},
        )
