"""Use cases around tallies that change something: asking for a recompute."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.errors import PermissionDenied
from service.kit.jobs import request_job
from service.tallies.jobs import RECOMPUTE, Recompute
from service.tallies.report import can_request_recompute, last_run


async def request_recompute(session: AsyncSession, viewer: Viewer) -> datetime | None:
    """Queue a recompute; requests while one is queued collapse into it (one job key)."""
    if not can_request_recompute(viewer):
        raise PermissionDenied("Nur Mitarbeitende dürfen eine Neuberechnung anstoßen.")
    request_job(session, RECOMPUTE(Recompute(viewer.user_id)))
    run = await last_run(session)
    return run.finished_at if run else None
