"""The events of surveys, written where their status changes (`service.surveys.service._status_change`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from service.events.log import EventType, record
from service.surveys.models import Survey, SurveyStatus
from service.surveys.policies import PUBLIC_STATUSES


async def status_changed(session: AsyncSession, survey: Survey, before: str, after: SurveyStatus) -> None:
    """Published and closed are public; leaving the public statuses (archived) writes a tombstone."""
    if after is SurveyStatus.PUBLISHED:
        data = {"title": survey.title, "closesAt": survey.closes_at.isoformat()}
        event = EventType.SURVEY_PUBLISHED
    elif after is SurveyStatus.CLOSED:
        data, event = {"title": survey.title}, EventType.SURVEY_CLOSED
    elif before in PUBLIC_STATUSES and after.value not in PUBLIC_STATUSES:
        data, event = {}, EventType.SURVEY_REMOVED
    else:
        return
    await record(session, event, town_id=survey.town_id, subject_type="Survey", subject_id=survey.id, data=data)
