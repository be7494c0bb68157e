"""Moderation jobs: the automated check of a pending contribution, and hiding after enough reports."""

from __future__ import annotations

from typing import Any

from service.moderation.automated import check_submission
from service.moderation.jobs import Subject
from service.moderation.reports import hide_if_reported
from workers.context import unit_of_work


async def check(ctx: dict[str, Any], subject: Subject) -> str:
    """`moderation.check`: decide once; a repeated run changes nothing."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        outcome = await check_submission(session, kind=subject.kind, subject_id=subject.id)
    return outcome.value if outcome else "unchanged"


async def hide_reported(ctx: dict[str, Any], subject: Subject) -> str:
    """`moderation.hide_reported`: hide once enough people reported; idempotent."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        hidden = await hide_if_reported(session, kind=subject.kind, subject_id=subject.id)
    return "hidden" if hidden else "unchanged"
