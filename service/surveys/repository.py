"""Batch reads for dataloaders and the survey list: one statement per batch, visibility applied by the viewer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from operator import attrgetter

from sqlalchemy import Select, bindparam, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.embedded import EmbeddedList, embedded_rows, loaded_columns
from service.kit.lookup import by_key, grouped, key_in_keys, keys
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, newest_first, parse_time, parse_uuid
from service.surveys.models import Answer, Participation, Question, Response, Results, Survey, SurveyStatus
from service.surveys.policies import PUBLIC_STATUSES, survey_visibility, survey_visible_to, visible_condition

_QUESTIONS_BY_SURVEY_IDS = (
    select(Question).where(key_in_keys(Question.survey_id)).order_by(Question.survey_id, Question.position)
)
_RESPONSE_COUNTS = (
    select(Participation.survey_id, func.count())
    .where(key_in_keys(Participation.survey_id))
    .group_by(Participation.survey_id)
)
_RESULTS_BY_SURVEY_IDS = select(Results).where(key_in_keys(Results.survey_id))
_survey_id = attrgetter("survey_id")


async def surveys_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID], *, viewer: Viewer) -> dict[uuid.UUID, Survey]:
    rows = await session.scalars(select(Survey).where(key_in_keys(Survey.id), survey_visible_to(viewer)), keys(ids))
    return by_key(rows, attrgetter("id"))


async def questions_by_survey_ids(
    session: AsyncSession, survey_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Question]]:
    return grouped(survey_ids, await session.scalars(_QUESTIONS_BY_SURVEY_IDS, keys(survey_ids)), _survey_id)


async def response_counts(session: AsyncSession, survey_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Live progress: how many people took part so far."""
    rows = await session.execute(_RESPONSE_COUNTS, keys(survey_ids))
    return {survey_id: int(count) for survey_id, count in rows}


async def results_by_survey_ids(session: AsyncSession, survey_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Results]:
    return by_key(await session.scalars(_RESULTS_BY_SURVEY_IDS, keys(survey_ids)), _survey_id)


async def participated_survey_ids(
    session: AsyncSession, survey_ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, bool]:
    rows = await session.scalars(
        select(Participation.survey_id).where(Participation.user_id == user_id, key_in_keys(Participation.survey_id)),
        keys(survey_ids),
    )
    return dict.fromkeys(rows, True)


async def own_answers_by_survey_ids(
    session: AsyncSession, survey_ids: Sequence[uuid.UUID], *, user_id: uuid.UUID
) -> dict[uuid.UUID, list[Answer]]:
    """The person's own answers; anonymous surveys' responses name nobody, so they never match."""
    rows = await session.scalars(
        select(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(key_in_keys(Response.survey_id), Response.respondent_id == user_id)
        .order_by(Question.position),
        keys(survey_ids),
    )
    return grouped(survey_ids, rows, _survey_id)


@dataclass(frozen=True)
class SurveyPage:
    items: Sequence[Survey]
    has_next_page: bool

    @staticmethod
    def cursor(survey: Survey) -> str:
        return encode_cursor(_CURSOR, survey.created_at.isoformat(), str(survey.id))


_CURSOR = "survey"


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    created_at, survey_id = decode_cursor(_CURSOR, cursor, 2)
    return parse_time(created_at, naive_is_utc=True), parse_uuid(survey_id)


async def list_surveys(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    status: SurveyStatus | None,
    first: int,
    after: str | None,
) -> SurveyPage:
    """A town's surveys the viewer may see, newest first, keyset-paginated."""
    check_page_size(first)
    visibility, parameters = survey_visibility(viewer)
    parameters |= {"town_id": town_id, "limit": first + 1}
    if status is not None:
        parameters["status"] = status.value
    if after is not None:
        parameters["after_key"], parameters["after_id"] = _decode_cursor(after)
    statement = _town_statement(visibility, with_status=status is not None, with_after=after is not None)
    return survey_page((await session.scalars(statement, parameters)).all(), first)


def survey_page(rows: Sequence[Survey], first: int) -> SurveyPage:
    """A page of `first` surveys from the `first + 1` rows read for it (the last only says there are more)."""
    return SurveyPage(items=rows[:first], has_next_page=len(rows) > first)


@lru_cache(maxsize=64)
def embedded_town_surveys(status: SurveyStatus, first: int) -> EmbeddedList[Survey]:
    """`list_surveys`'s first page of a town's surveys in `status` (`first + 1` rows, for `survey_page`), to read
    with the town (`service.towns.service.get_town_with`). Only published or closed ones: those every caller sees,
    so the list is the same whoever asks."""
    if status.value not in PUBLIC_STATUSES:
        raise ValueError(f"only surveys every caller sees are read with their town, not {status.value} ones")
    check_page_size(first)
    return embedded_rows(
        Survey,
        lambda town_id: newest_first(
            select(*loaded_columns(Survey)).where(Survey.town_id == town_id, Survey.status == status.value),
            Survey.created_at,
            Survey.id,
            with_after=False,
            limit=first + 1,
        ),
        newest_first=(Survey.created_at, Survey.id),
    )


@cache
def _town_statement(visibility: str, *, with_status: bool, with_after: bool) -> Select[Survey]:
    """`list_surveys`'s statement for one shape, its values left as bound parameters: built once per shape."""
    statement = select(Survey).where(Survey.town_id == bindparam("town_id"), visible_condition(visibility))
    if with_status:
        statement = statement.where(Survey.status == bindparam("status"))
    return newest_first(statement, Survey.created_at, Survey.id, with_after=with_after)


async def list_open_surveys(session: AsyncSession, *, first: int, after: str | None) -> SurveyPage:
    """The region's open surveys (published, opened, not yet closed), newest first, keyset-paginated: open ones
    are public, so this is the same for every viewer."""
    check_page_size(first)
    now = func.now()
    statement = select(Survey).where(
        Survey.status == SurveyStatus.PUBLISHED.value,
        or_(Survey.opens_at.is_(None), Survey.opens_at <= now),
        Survey.closes_at > now,
    )
    return await _page(session, statement, first=first, after=after)


async def _page(session: AsyncSession, statement: Select[Survey], *, first: int, after: str | None) -> SurveyPage:
    if after is not None:
        statement = statement.where(tuple_(Survey.created_at, Survey.id) < tuple_(*_decode_cursor(after)))
    rows = (
        await session.scalars(statement.order_by(Survey.created_at.desc(), Survey.id.desc()).limit(first + 1))
    ).all()
    return SurveyPage(items=rows[:first], has_next_page=len(rows) > first)
