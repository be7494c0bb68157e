"""Survey jobs: recompute a survey's results after answers, and close surveys whose closing time has passed."""

from __future__ import annotations

import logging
from typing import Any

from service.kit.jobs import NO_ARGUMENTS, NoArguments
from service.surveys.jobs import SurveyRef
from service.surveys.results import recompute
from service.surveys.service import close_due_surveys
from workers.context import unit_of_work

logger = logging.getLogger("mitmachen.worker")


async def compute_results(ctx: dict[str, Any], survey: SurveyRef) -> int | None:
    """`surveys.compute_results`: recompute from the responses; idempotent. Returns the response count."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await recompute(session, survey.survey_id)


async def close_due(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """`surveys.close_due` (cron): close every published survey past its closing time; returns how many."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        closed = await close_due_surveys(session)
    if closed:
        logger.info("closed %d due surveys", len(closed))
    return len(closed)
