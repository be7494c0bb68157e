"""Surveys run by town staff: draft, define questions, publish, close (by hand or when due), archive."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Viewer
from service.events.surveys import status_changed
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.kit.jobs import Job, request_job
from service.kit.text import clean_title
from service.surveys import definition
from service.surveys.definition import QuestionSpec
from service.surveys.errors import SurveyErrorCode
from service.surveys.jobs import COMPUTE_RESULTS, SurveyRef
from service.surveys.kinds.base import dump
from service.surveys.models import Audience, Participation, Question, Survey, SurveyStatus
from service.surveys.policies import can_manage, survey_visible_to
from service.surveys.results import store as store_results
from service.towns.models import Town
from service.towns.service import existing_town, town_strategy_area


@dataclass(frozen=True)
class SurveyFields:
    """The fields of `updateSurvey`; None leaves a field as it is (`clear_strategy_area` removes the area)."""

    title: str | None = None
    description: str | None = None
    strategy_area_id: uuid.UUID | None = None
    clear_strategy_area: bool = False
    opens_at: datetime | None = None
    clear_opens_at: bool = False
    closes_at: datetime | None = None
    audience: Audience | None = None
    is_anonymous: bool | None = None
    results_public: bool | None = None


def results_job(survey_id: uuid.UUID) -> Job:
    """One recomputation per survey and window of `RESULTS_WINDOW_SECONDS`, run after the window's last answer."""
    return COMPUTE_RESULTS(SurveyRef(survey_id))


def unknown_survey() -> NotFound:
    return NotFound(SurveyErrorCode.UNKNOWN_SURVEY, "Diese Umfrage gibt es nicht (mehr).", field="surveyId")


async def visible_survey(
    session: AsyncSession, viewer: Viewer, survey_id: uuid.UUID, *, lock: bool = False, share: bool = False
) -> Survey:
    """The survey if the viewer may see it; `lock` takes the row lock, `share` a shared lock (answers)."""
    statement = select(Survey).where(Survey.id == survey_id, survey_visible_to(viewer))
    if lock:
        statement = statement.with_for_update()
    elif share:
        statement = statement.with_for_update(read=True)
    survey = await session.scalar(statement.execution_options(populate_existing=True))
    if survey is None:
        raise unknown_survey()
    return survey


async def managed_survey(session: AsyncSession, viewer: Viewer, survey_id: uuid.UUID) -> Survey:
    """The survey, locked, if the viewer runs its town's surveys; a visible survey of another town is refused."""
    viewer.require_person()
    survey = await visible_survey(session, viewer, survey_id, lock=True)
    if not can_manage(viewer, survey.town_id):
        raise PermissionDenied("Umfragen betreut die Verwaltung der Stadt.")
    return survey


async def draft_survey(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    title: str,
    closes_at: datetime,
    description: str = "",
    strategy_area_id: uuid.UUID | None = None,
    opens_at: datetime | None = None,
    audience: Audience = Audience.EVERYONE,
    is_anonymous: bool = False,
    results_public: bool = False,
) -> Survey:
    viewer.require_person()
    town = await existing_town(session, town_id)
    if not can_manage(viewer, town.id):
        raise PermissionDenied("Umfragen entwirft die Verwaltung der Stadt.")
    new_title, new_description = clean_title(title), definition.description(description)
    definition.window(opens_at, closes_at)
    definition.closes_in_future(closes_at, datetime.now(UTC))
    area = (
        (await town_strategy_area(session, town, strategy_area_id, region_themes=True)).id if strategy_area_id else None
    )
    survey = Survey(
        id=uuid.uuid4(),
        town_id=town.id,
        strategy_area_id=area,
        created_by_id=viewer.user_id,
        title=new_title,
        description=new_description,
        status=SurveyStatus.DRAFT.value,
        audience=audience.value,
        is_anonymous=is_anonymous,
        results_public=results_public,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    session.add(survey)
    await session.flush()
    await session.refresh(survey)
    return survey


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT.value:
        raise UserError(
            SurveyErrorCode.SURVEY_NOT_EDITABLE, "Nur Entwürfe können so geändert werden.", field="surveyId"
        )


async def update_survey(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID, fields: SurveyFields) -> Survey:
    """Drafts only: once published, what people were asked (and whether anonymously) stays as it was."""
    survey = await managed_survey(session, viewer, survey_id)
    _require_draft(survey)
    if fields.title is not None:
        survey.title = clean_title(fields.title)
    if fields.description is not None:
        survey.description = definition.description(fields.description)
    if fields.strategy_area_id is not None:
        town = await session.get(Town, survey.town_id)
        assert town is not None  # noqa: S101 - a foreign key
        survey.strategy_area_id = (
            await town_strategy_area(session, town, fields.strategy_area_id, region_themes=True)
        ).id
    elif fields.clear_strategy_area:
        survey.strategy_area_id = None
    opens_at = None if fields.clear_opens_at else (fields.opens_at or survey.opens_at)
    closes_at = fields.closes_at or survey.closes_at
    definition.window(opens_at, closes_at)
    if fields.closes_at is not None:
        definition.closes_in_future(closes_at, datetime.now(UTC))
    survey.opens_at, survey.closes_at = opens_at, closes_at
    if fields.audience is not None:
        survey.audience = fields.audience.value
    if fields.is_anonymous is not None:
        survey.is_anonymous = fields.is_anonymous
    if fields.results_public is not None:
        survey.results_public = fields.results_public
    survey.updated_at = func.now()
    await session.flush()
    await session.refresh(survey)
    return survey


async def has_responses(session: AsyncSession, survey_id: uuid.UUID) -> bool:
    return bool(await session.scalar(select(exists().where(Participation.survey_id == survey_id))))


async def set_questions(
    session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID, questions: Sequence[QuestionSpec]
) -> Survey:
    """Replace the questions. Refused once the first response exists: answering takes a shared lock on the
    survey row and this takes the exclusive one, so the check and the first answer cannot interleave."""
    survey = await managed_survey(session, viewer, survey_id)
    if survey.status not in {SurveyStatus.DRAFT.value, SurveyStatus.PUBLISHED.value}:
        raise UserError(SurveyErrorCode.SURVEY_NOT_EDITABLE, "Diese Umfrage ist beendet.", field="surveyId")
    clean = definition.questions(questions)
    if await has_responses(session, survey.id):
        raise UserError(
            SurveyErrorCode.SURVEY_HAS_RESPONSES,
            "Es gibt schon Antworten: die Fragen können nicht mehr geändert werden.",
            field="questions",
        )
    if survey.status == SurveyStatus.PUBLISHED.value and not clean:
        raise UserError(SurveyErrorCode.QUESTION_INVALID, "Eine laufende Umfrage braucht Fragen.", field="questions")
    await session.execute(delete(Question).where(Question.survey_id == survey.id))
    session.add_all(
        Question(
            id=question.id,
            survey_id=survey.id,
            town_id=survey.town_id,
            position=question.position,
            kind=question.kind.value,
            prompt=question.prompt,
            help_text=question.help_text,
            required=question.required,
            settings=dump(question.settings),
            show_if=question.show_if,
        )
        for question in clean
    )
    survey.updated_at = func.now()
    await session.flush()
    await session.refresh(survey)
    return survey


async def _status_change(
    survey: Survey,
    viewer: Viewer | None,
    session: AsyncSession,
    after: SurveyStatus,
    *,
    results: dict[str, Any] | None = None,
) -> None:
    record(
        session,
        viewer,
        action=f"survey.{after.value}",
        subject_type="survey",
        subject_id=survey.id,
        town_id=survey.town_id,
        before={"status": survey.status},
        after={"status": after.value},
    )
    await status_changed(session, survey, survey.status, after, results=results)
    survey.status = after.value
    survey.updated_at = func.now()


async def publish_survey(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID) -> Survey:
    survey = await managed_survey(session, viewer, survey_id)
    if survey.status != SurveyStatus.DRAFT.value:
        raise UserError(SurveyErrorCode.SURVEY_STATUS_CHANGE, "Nur Entwürfe können veröffentlicht werden.")
    definition.closes_in_future(survey.closes_at, datetime.now(UTC))
    if not await session.scalar(select(exists().where(Question.survey_id == survey.id))):
        raise UserError(
            SurveyErrorCode.QUESTION_INVALID, "Eine Umfrage braucht mindestens eine Frage.", field="questions"
        )
    await _status_change(survey, viewer, session, SurveyStatus.PUBLISHED)
    survey.published_at = func.now()
    await session.flush()
    await session.refresh(survey)
    return survey


async def _close(session: AsyncSession, survey: Survey, viewer: Viewer | None) -> None:
    """Results that become public with the close are computed in its transaction (no answer can follow: answers
    hold a shared lock on the survey row, closing the exclusive one), so they are readable, and in the
    `survey.closed` event, the moment the close commits. Others are left to the job."""
    document = await store_results(session, survey.id) if survey.results_public else None
    await _status_change(survey, viewer, session, SurveyStatus.CLOSED, results=document)
    survey.closed_at = func.now()
    await session.flush()
    if document is None:
        request_job(session, results_job(survey.id))


async def close_survey(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID) -> Survey:
    """Waits for answers in flight (they hold a shared lock on the survey), then no further answer is taken."""
    survey = await managed_survey(session, viewer, survey_id)
    if survey.status != SurveyStatus.PUBLISHED.value:
        raise UserError(SurveyErrorCode.SURVEY_STATUS_CHANGE, "Nur laufende Umfragen können beendet werden.")
    await _close(session, survey, viewer)
    await session.refresh(survey)
    return survey


async def archive_survey(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID) -> Survey:
    survey = await managed_survey(session, viewer, survey_id)
    if survey.status not in {SurveyStatus.DRAFT.value, SurveyStatus.CLOSED.value}:
        raise UserError(
            SurveyErrorCode.SURVEY_STATUS_CHANGE, "Nur Entwürfe und beendete Umfragen können archiviert werden."
        )
    await _status_change(survey, viewer, session, SurveyStatus.ARCHIVED)
    await session.flush()
    await session.refresh(survey)
    return survey


async def close_due_surveys(session: AsyncSession, *, limit: int = 500) -> list[uuid.UUID]:
    """Close published surveys whose closing time has passed; idempotent, skips rows locked by answers in flight
    (the next run gets them; answering refuses after `closes_at` anyway)."""
    due = (
        await session.scalars(
            select(Survey)
            .where(Survey.status == SurveyStatus.PUBLISHED.value, Survey.closes_at <= func.now())
            .order_by(Survey.closes_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for survey in due:
        await _close(session, survey, None)
    return [survey.id for survey in due]
