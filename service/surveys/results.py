"""Results of a survey, computed from the responses by the `surveys.results` job and stored as one document.

Free-text answers (and the "other" texts of choice questions) are kept in the stored document for staff only;
`public_view` removes them, so that nothing unmoderated is ever shown to the public.
"""

from __future__ import annotations

import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.surveys.models import Answer, Question, QuestionKind, Response, Results, Survey

STAFF_ONLY_KEYS = ("texts", "other_texts")
# First half of the two-part advisory lock key of a survey's recomputation (the survey's id is the second).
_LOCK_SPACE = "mitmachen.survey_results"


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _choice(question: Question, answers: Sequence[Answer]) -> dict[str, Any]:
    counts = Counter(index for answer in answers for index in answer.option_indexes or ())
    others = sorted(answer.other_text for answer in answers if answer.other_text)
    total = len(answers)
    return {
        "options": [
            {"index": index, "count": counts[index], "share": _share(counts[index], total)}
            for index in range(len(question.settings["options"]))
        ],
        "other_count": len(others),
        "other_texts": others,
    }


def _values(answers: Sequence[Answer], question: Question) -> dict[str, Any]:
    values = [answer.number for answer in answers if answer.number is not None]
    counts = Counter(values)
    if question.kind == QuestionKind.SCALE.value:
        steps = range(question.settings["min"], question.settings["max"] + 1)
        distribution = [{"value": float(step), "count": counts[float(step)]} for step in steps]
    else:
        distribution = [{"value": value, "count": counts[value]} for value in sorted(counts)]
    return {
        "distribution": distribution,
        "mean": round(statistics.fmean(values), 4) if values else None,
        "median": statistics.median(values) if values else None,
    }


def _ranking(question: Question, answers: Sequence[Answer]) -> dict[str, Any]:
    """Borda count: with n options, first place earns n points, last place 1; plus the average place (1 = top)."""
    size = len(question.settings["options"])
    points: Counter[int] = Counter()
    places: defaultdict[int, list[int]] = defaultdict(list)
    for answer in answers:
        for place, index in enumerate(answer.option_indexes or ()):
            points[index] += size - place
            places[index].append(place + 1)
    return {
        "rank_scores": [
            {
                "index": index,
                "score": points[index],
                "average_place": round(statistics.fmean(places[index]), 4) if places[index] else None,
            }
            for index in range(size)
        ]
    }


def _question(question: Question, answers: Sequence[Answer]) -> dict[str, Any]:
    kind = QuestionKind(question.kind)
    result: dict[str, Any] = {"question_id": str(question.id), "kind": kind.value, "answered": len(answers)}
    if kind in {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}:
        result |= _choice(question, answers)
    elif kind in {QuestionKind.SCALE, QuestionKind.NUMBER}:
        result |= _values(answers, question)
    elif kind is QuestionKind.RANKING:
        result |= _ranking(question, answers)
    else:
        result["texts"] = sorted(answer.text for answer in answers if answer.text)
    return result


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
    """Store fresh results; idempotent (running twice stores the same document). Returns the response count.

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
    return int(data["response_count"])


def public_view(data: dict[str, Any]) -> dict[str, Any]:
    """The document without any free text."""
    return {
        **data,
        "questions": [
            {key: value for key, value in question.items() if key not in STAFF_ONLY_KEYS}
            for question in data["questions"]
        ],
    }
