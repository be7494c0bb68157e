"""Survey jobs: recompute a survey's results after answers, and close surveys whose closing time has passed."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from service.surveys.results import recompute
from service.surveys.service import close_due_surveys
from workers.context import unit_of_work

logger = logging.getLogger("mitmachen.worker")


async def results(ctx: dict[str, Any], survey_id: str) -> int | None:
    """`surveys.results` (survey id): recompute from the responses; idempotent. Returns the response count."""
    try:
        key = uuid.UUID(survey_id)
    except ValueError:
        logger.warning("surveys.results with unusable argument %r: ignored", survey_id)
        return None
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await recompute(session, key)


async def close_due(ctx: dict[str, Any]) -> int:
    """`surveys.close_due` (cron): close every published survey past its closing time; returns how many."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        closed = await close_due_surveys(session)
    if closed:
        logger.info("closed %d due surveys", len(closed))
    return len(closed)
