"""`tallies.recompute`: recompute every participation tally from the source tables."""

from __future__ import annotations

import logging
from typing import Any

from service.tallies.compute import recompute as recompute_tallies
from service.tallies.jobs import Recompute
from workers.context import unit_of_work

logger = logging.getLogger("mitmachen.worker")


async def recompute(ctx: dict[str, Any], request: Recompute) -> str:
    async with unit_of_work(ctx) as uow, uow.session() as session:
        result = await recompute_tallies(session, requested_by=request.requested_by)
    logger.info(
        "tallies recomputed: %d rows, %d written, %d deleted, %d tallies.recomputed events",
        result.rows,
        result.changed,
        result.deleted,
        result.events,
    )
    return result.digest
