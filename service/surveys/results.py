"""Results of a survey, computed from the responses by the `surveys.compute_results` job and stored as one document.

Free-text answers (and the "other" texts of choice questions) are kept in the stored document for staff only;
`public_view` removes them, so that nothing unmoderated is ever shown to the public.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.surveys.kinds import kind_of, settings_of
from service.surveys.models import Answer, Question, Response, Results, Survey

STAFF_ONLY_KEYS = ("texts", "other_texts")
# First half of the two-part advisory lock key of a survey's recomputation (the survey's id is the second).
_LOCK_SPACE = "mitmachen.survey_results"


def _question(question: Question, answers: Sequence[Answer]) -> dict[str, Any]:
    kind = kind_of(question.kind)
    result: dict[str, Any] = {"question_id": str(question.id), "kind": kind.kind.value, "answered": len(answers)}
    return result | kind.aggregate(settings_of(question), answers)


async def compute(session: AsyncSession, survey_id: uuid.UUID) -> dict[str, Any] | None:
    """The results document from the responses as they are now (one statement, so one consistent snapshot)."""
    survey = await session.get(Survey, survey_id)
    if survey is None:
        return None
    questions = (
        await session.scalars(select(Question).where(Question.survey_id == survey_id).order_by(Question.position))
    ).all()
    rows = (
        await session.execute(
            select(Response.id, Response.submitted_on, Answer)
            .outerjoin(Answer, Answer.response_id == Response.id)
            .where(Response.survey_id == survey_id)
        )
    ).all()
    days: dict[uuid.UUID, str] = {}
    by_question: defaultdict[uuid.UUID, list[Answer]] = defaultdict(list)
    for response_id, day, answer in rows:
        days[response_id] = day.isoformat()
        if answer is not None:
            by_question[answer.question_id].append(answer)
    per_day = Counter(days.values())
    return {
        "response_count": len(days),
        "by_day": [{"day": day, "count": per_day[day]} for day in sorted(per_day)],
        "questions": [_question(question, by_question[question.id]) for question in questions],
    }


async def recompute(session: AsyncSession, survey_id: uuid.UUID) -> int | None:
    """Store fresh results; idempotent (running twice stores the same document). Returns the response count."""
    data = await store(session, survey_id)
    return None if data is None else int(data["response_count"])


async def store(session: AsyncSession, survey_id: uuid.UUID) -> dict[str, Any] | None:
    """Store fresh results and return the document (None: no such survey).

    One recomputation per survey at a time: each first takes the survey's lock (held to its commit), and reads the
    responses only then, so a later one sees everything an earlier one saw and stores after it, never before.
    """
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(_LOCK_SPACE), func.hashtext(str(survey_id)))))
    data = await compute(session, survey_id)
    if data is None:
        return None
    survey = await session.get(Survey, survey_id)
    assert survey is not None  # noqa: S101 - compute found it
    values = {"town_id": survey.town_id, "response_count": data["response_count"], "data": data}
    await session.execute(
        insert(Results)
        .values(survey_id=survey_id, **values)
        .on_conflict_do_update(index_elements=[Results.survey_id], set_={**values, "computed_at": func.now()})
    )
    return data


def public_view(data: dict[str, Any]) -> dict[str, Any]:
    """The document without any free text."""
    return {
        **data,
        "questions": [
            {key: value for key, value in question.items() if key not in STAFF_ONLY_KEYS}
            for question in data["questions"]
        ],
    }
