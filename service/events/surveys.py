"""The events of surveys, written where their status changes (`service.surveys.service._status_change`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.log import EventType, global_id, record
from service.surveys.kinds import settings_of
from service.surveys.kinds.base import camel
from service.surveys.models import Question, Survey, SurveyStatus
from service.surveys.policies import PUBLIC_STATUSES
from service.surveys.results import public_view


async def status_changed(
    session: AsyncSession, survey: Survey, before: str, after: SurveyStatus, *, results: dict[str, Any] | None = None
) -> None:
    """Published and closed are public; leaving the public statuses (archived) writes a tombstone. A survey closed
    with public results carries them (`results`: the document computed at the close); archiving it later empties
    them with the rest, so a delivery never holds results that are no longer public."""
    data: dict[str, Any]
    if after is SurveyStatus.PUBLISHED:
        data = {"title": survey.title, "closesAt": survey.closes_at.isoformat()}
        event = EventType.SURVEY_PUBLISHED
    elif after is SurveyStatus.CLOSED:
        data, event = {"title": survey.title}, EventType.SURVEY_CLOSED
        if survey.results_public and results is not None:
            data["results"] = await _public_results(session, survey, results)
    elif before in PUBLIC_STATUSES and after.value not in PUBLIC_STATUSES:
        data, event = {}, EventType.SURVEY_REMOVED
    else:
        return
    await record(session, event, town_id=survey.town_id, subject_type="Survey", subject_id=survey.id, data=data)


async def _public_results(session: AsyncSession, survey: Survey, document: dict[str, Any]) -> dict[str, Any]:
    """What `Survey.results` shows anyone after the close: no free text, keys as the API names them, questions by
    their global id with their prompt, options and ranked items with their label."""
    questions = {
        str(question.id): question
        for question in await session.scalars(select(Question).where(Question.survey_id == survey.id))
    }
    public = public_view(document)
    found = []
    for item in public["questions"]:
        question = questions[item["question_id"]]
        labels: list[str] = getattr(settings_of(question), "options", [])
        entry = {camel(key): value for key, value in item.items() if key != "question_id"}
        entry |= {"question": global_id("SurveyQuestion", question.id), "prompt": question.prompt}
        entry["kind"] = str(item["kind"]).upper()
        for key in ("options", "rankScores"):
            if key in entry:
                entry[key] = [
                    {camel(name): value for name, value in part.items()} | {"label": labels[part["index"]]}
                    for part in entry[key]
                ]
        found.append(entry)
    return {"responseCount": public["response_count"], "responsesByDay": public["by_day"], "questions": found}
