"""Survey jobs through a real arq worker (burst mode): closing due surveys, recomputing results, the sweep."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.auth.viewer import Role
from service.config import Settings
from service.surveys.jobs import RESULTS_WINDOW_SECONDS, SurveyRef
from service.surveys.models import Results, Survey
from service.surveys.results import recompute
from tests.conftest import GraphQLClient
from tests.support.ideas import queued_jobs, row_id
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.surveys import answer, move_closing_time, published_survey, standard_answers
from workers.jobs.surveys import close_due
from workers.jobs.surveys import compute_results as results
from workers.jobs.system import sweep
from workers.settings import create_worker


async def _run_worker(settings: Settings, runtime: Runtime) -> None:
    worker = create_worker(settings, runtime, burst=True)
    try:
        await worker.main()
    finally:
        await worker.close()
    assert worker.jobs_failed == 0


async def _state(runtime: Runtime, survey_id: str) -> tuple[str, int | None]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        survey = await session.get(Survey, row_id(survey_id))
        counted = await session.scalar(select(Results.response_count).where(Results.survey_id == row_id(survey_id)))
    assert survey is not None
    return survey.status, counted


async def test_due_surveys_are_closed_once_and_their_results_computed(
    settings: Settings, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    due_id, question_ids = await published_survey(graphql, runtime, staff)
    running_id, _ = await published_survey(graphql, runtime, staff)
    await answer(graphql, await person(runtime, oidc_provider, "clara"), due_id, standard_answers(question_ids))
    await runtime.redis.flushdb()
    await move_closing_time(runtime, due_id, datetime.now(UTC) - timedelta(minutes=1))

    closed = await close_due({"runtime": runtime})
    queued = await queued_jobs(runtime)
    await _run_worker(settings, runtime)
    closed_again = await close_due({"runtime": runtime})

    assert (closed, closed_again) == (1, 0)
    assert queued == [("surveys.compute_results", (str(row_id(due_id)),))]
    assert await _state(runtime, due_id) == ("closed", 1)
    assert await _state(runtime, running_id) == ("published", None)


async def test_the_sweep_resends_a_lost_results_job(
    settings: Settings, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_id, question_ids = await published_survey(graphql, runtime, staff)
    await answer(graphql, await person(runtime, oidc_provider, "clara"), survey_id, standard_answers(question_ids))
    await runtime.redis.flushdb()  # the wake-up is lost

    sent = await sweep({"runtime": runtime})
    await _run_worker(settings, runtime)
    sent_after = await sweep({"runtime": runtime})

    assert sent >= 1
    assert await _state(runtime, survey_id) == ("published", 1)
    assert ("surveys.compute_results", (str(row_id(survey_id)),)) not in await queued_jobs(runtime)
    assert sent_after == 0


async def test_results_are_recomputed_after_the_last_answer_of_a_burst(
    settings: Settings, runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_id, question_ids = await published_survey(graphql, runtime, staff)
    citizens = [await person(runtime, oidc_provider, f"citizen-{number}") for number in range(6)]
    await runtime.redis.flushdb()
    await answer(graphql, citizens[0], survey_id, standard_answers(question_ids))
    await _run_worker(settings, runtime)
    counted_first = (await _state(runtime, survey_id))[1]

    # A burst right after a recomputation: earlier, the first one's kept result refused the burst's wake-ups, and
    # the results lagged until the sweep, a minute later.
    began = time.time()
    for citizen in citizens[1:]:
        await answer(graphql, citizen, survey_id, standard_answers(question_ids))
    ended = time.time()
    queued = [
        job for job in await queued_jobs(runtime) if job == ("surveys.compute_results", (str(row_id(survey_id)),))
    ]
    await _run_worker(settings, runtime)

    assert counted_first == 1
    windows = int(ended // RESULTS_WINDOW_SECONDS) - int(began // RESULTS_WINDOW_SECONDS) + 1
    assert 1 <= len(queued) <= windows < len(citizens) - 1  # collapsed: one recomputation per window
    assert await _state(runtime, survey_id) == ("published", 6)


async def test_a_recomputation_waits_for_the_one_running_and_then_counts_what_it_did_not(
    runtime: Runtime, graphql: GraphQLClient, oidc_provider: OidcProvider
) -> None:
    staff = await person(runtime, oidc_provider, "staff-soest", roles_held=((Role.STAFF, "soest"),))
    survey_id, question_ids = await published_survey(graphql, runtime, staff)
    await answer(graphql, await person(runtime, oidc_provider, "clara"), survey_id, standard_answers(question_ids))
    key = row_id(survey_id)

    async with runtime.unit_of_work() as first, first.session() as running:
        assert await recompute(running, key) == 1
        second = asyncio.create_task(results({"runtime": runtime}, SurveyRef(key)))
        await asyncio.sleep(0.5)
        waited = not second.done()
        await answer(graphql, await person(runtime, oidc_provider, "omar"), survey_id, standard_answers(question_ids))
    counted = await second

    assert waited
    assert counted == 2
    assert await _state(runtime, survey_id) == ("published", 2)
