"""CSV export of a survey's responses for the town's staff, for German spreadsheets (`service.kit.spreadsheet`).

Rows are ordered by the response's random id, never by insertion order or time; anonymous surveys have no
person columns (their responses hold no person to name).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit import spreadsheet
from service.kit.errors import PermissionDenied
from service.kit.spreadsheet import text_cell
from service.surveys.kinds import kind_of, settings_of
from service.surveys.models import Answer, Question, Response
from service.surveys.policies import can_manage
from service.surveys.service import visible_survey
from service.users.models import User

PersonRef = Callable[[uuid.UUID], str]


def _formatter(question: Question) -> Callable[[Answer | None], str]:
    kind, settings = kind_of(question.kind), settings_of(question)
    return lambda answer: "" if answer is None else kind.csv_cell(settings, answer)


async def responses_csv(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID, person_ref: PersonRef) -> str:
    """The responses, one row each; `person_ref` names a respondent as the API does (their global id)."""
    survey = await visible_survey(session, viewer, survey_id)
    if not can_manage(viewer, survey.town_id):
        raise PermissionDenied("Den Export bekommt nur die Verwaltung der Stadt.")
    questions = (
        await session.scalars(select(Question).where(Question.survey_id == survey.id).order_by(Question.position))
    ).all()
    responses = (
        await session.execute(
            select(Response, User.display_name)
            .outerjoin(User, User.id == Response.respondent_id)
            .where(Response.survey_id == survey.id)
            .order_by(Response.id)
        )
    ).all()
    answers: defaultdict[uuid.UUID, dict[uuid.UUID, Answer]] = defaultdict(dict)
    for answer in await session.scalars(select(Answer).where(Answer.survey_id == survey.id)):
        answers[answer.response_id][answer.question_id] = answer
    formatters = [(question, _formatter(question)) for question in questions]
    person_columns = [] if survey.is_anonymous else ["Person-ID", "Name"]
    rows = [["Nr.", *person_columns, "Tag", *(text_cell(f"F{q.position + 1}: {q.prompt}") for q in questions)]]
    for number, (response, name) in enumerate(responses, start=1):
        respondent = response.respondent_id
        person = [] if survey.is_anonymous else [person_ref(respondent) if respondent else "", text_cell(name or "")]
        cells = [cell(answers[response.id].get(question.id)) for question, cell in formatters]
        rows.append([str(number), *person, response.submitted_on.isoformat(), *cells])
    return spreadsheet.write(rows)
