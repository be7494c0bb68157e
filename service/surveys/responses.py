"""Answering a survey: once per person, checked against the definition, unlinkable when the survey is anonymous."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.errors import UserError
from service.kit.jobs import request_job
from service.privacy.identities import held
from service.surveys import answers as answer_rules
from service.surveys.answers import AnswerInput
from service.surveys.errors import SurveyErrorCode
from service.surveys.models import Answer, Audience, Participation, Question, Response, Survey, SurveyStatus
from service.surveys.service import results_job, visible_survey

# The day a response counts for is the region's calendar day.
REGION_TIME = ZoneInfo("Europe/Berlin")


def is_open(survey: Survey, now: datetime) -> bool:
    return (
        survey.status == SurveyStatus.PUBLISHED.value
        and (survey.opens_at is None or survey.opens_at <= now)
        and now < survey.closes_at
    )


def today() -> date:
    return datetime.now(REGION_TIME).date()


async def answer_survey(
    session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID, answers: Sequence[AnswerInput]
) -> Survey:
    """Store one response. The participation row's primary key decides who was first under concurrency.

    For an anonymous survey the response gets a fresh random id, no respondent and only the day; the
    participation row holds the person and the survey, nothing else, so the two cannot be joined.
    """
    user_id = viewer.require_person()
    survey = await visible_survey(session, viewer, survey_id, share=True)
    if not is_open(survey, datetime.now(UTC)):
        raise UserError(
            SurveyErrorCode.SURVEY_NOT_OPEN, "Diese Umfrage nimmt gerade keine Antworten an.", field="surveyId"
        )
    if survey.audience == Audience.RESIDENTS.value and viewer.home_town_id != survey.town_id:
        raise UserError(
            SurveyErrorCode.NOT_IN_AUDIENCE,
            "Diese Umfrage richtet sich an die Einwohnerinnen und Einwohner der Stadt.",
            field="surveyId",
        )
    questions = (await session.scalars(select(Question).where(Question.survey_id == survey.id))).all()
    clean = answer_rules.check(questions, answers)
    if await held(session, viewer.identity_digest, survey_id=survey.id):
        # The same person took part under an account they deleted since (while the survey runs).
        raise UserError(SurveyErrorCode.ALREADY_ANSWERED, "Sie haben an dieser Umfrage schon teilgenommen.")
    took_part = await session.scalar(
        insert(Participation)
        .values(survey_id=survey.id, user_id=user_id, town_id=survey.town_id)
        .on_conflict_do_nothing()
        .returning(Participation.user_id)
    )
    if took_part is None:
        raise UserError(SurveyErrorCode.ALREADY_ANSWERED, "Sie haben an dieser Umfrage schon teilgenommen.")
    response_id = uuid.uuid4()
    session.add(
        Response(
            id=response_id,
            survey_id=survey.id,
            town_id=survey.town_id,
            respondent_id=None if survey.is_anonymous else user_id,
            submitted_on=today(),
        )
    )
    await session.flush()
    session.add_all(
        Answer(
            response_id=response_id,
            question_id=answer.question_id,
            survey_id=survey.id,
            option_indexes=answer.option_indexes,
            other_text=answer.other_text,
            text=answer.text,
            number=answer.number,
        )
        for answer in clean
    )
    await session.flush()
    request_job(session, results_job(survey.id))
    return survey
