"""CSV export of a survey's responses for the town's staff.

Rows are ordered by the response's random id, never by insertion order or time; anonymous surveys have no
person columns (their responses hold no person to name).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.errors import PermissionDenied
from service.surveys.models import Answer, Question, QuestionKind, Response
from service.surveys.policies import can_manage
from service.surveys.service import visible_survey
from service.users.models import User

# Spreadsheets run cells starting with these as formulas; such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _format(question: Question, answer: Answer | None) -> str:
    if answer is None:
        return ""
    options: list[str] = question.settings.get("options", [])
    kind = QuestionKind(question.kind)
    if kind is QuestionKind.RANKING:
        return " > ".join(options[index] for index in answer.option_indexes or ())
    if kind in {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}:
        chosen = [options[index] for index in answer.option_indexes or ()]
        if answer.other_text:
            chosen.append(f"Sonstiges: {answer.other_text}")
        return "; ".join(chosen)
    if kind is QuestionKind.FREE_TEXT:
        return answer.text or ""
    number = answer.number
    return "" if number is None else (str(int(number)) if number == int(number) else str(number))


async def responses_csv(session: AsyncSession, viewer: Viewer, *, survey_id: uuid.UUID) -> str:
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
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    person_columns = [] if survey.is_anonymous else ["Person-ID", "Name"]
    writer.writerow(["Nr.", *person_columns, "Tag", *(_cell(f"F{q.position + 1}: {q.prompt}") for q in questions)])
    for number, (response, name) in enumerate(responses, start=1):
        person = [] if survey.is_anonymous else [str(response.respondent_id or ""), _cell(name or "")]
        cells = [_cell(_format(question, answers[response.id].get(question.id))) for question in questions]
        writer.writerow([str(number), *person, response.submitted_on.isoformat(), *cells])
    return buffer.getvalue()
