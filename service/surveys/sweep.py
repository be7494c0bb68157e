"""Work still pending in the database, for the periodic sweep: results older than the responses they count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.jobs import Job
from service.surveys.models import Participation, Results, Survey, SurveyStatus
from service.surveys.service import results_job

BATCH = 500


async def stale_results(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Surveys with responses whose stored results count a different number of them (or none yet).

    `older_than` is unused: a stale count is the signal, and the job key collapses repeated sends.
    """
    del older_than
    counted = (
        select(Participation.survey_id, func.count().label("responses")).group_by(Participation.survey_id).subquery()
    )
    found = await session.scalars(
        select(Survey.id)
        .join(counted, counted.c.survey_id == Survey.id)
        .outerjoin(Results, Results.survey_id == Survey.id)
        .where(
            Survey.status.in_([SurveyStatus.PUBLISHED.value, SurveyStatus.CLOSED.value]),
            or_(Results.survey_id.is_(None), Results.response_count != counted.c.responses),
        )
        .limit(BATCH)
    )
    return [results_job(survey_id) for survey_id in found]
