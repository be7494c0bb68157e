"""Moderation jobs: the automated check of a pending contribution, and hiding after enough reports."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from service.moderation.automated import check_submission
from service.moderation.models import SubjectKind
from service.moderation.reports import hide_if_reported
from workers.context import unit_of_work

logger = logging.getLogger("mitmachen.worker")


def _subject(kind: str, subject_id: str) -> tuple[SubjectKind, uuid.UUID] | None:
    try:
        return SubjectKind(kind), uuid.UUID(subject_id)
    except ValueError:
        logger.warning("moderation job with unusable arguments %r, %r: ignored", kind, subject_id)
        return None


async def check(ctx: dict[str, Any], kind: str, subject_id: str) -> str:
    """`moderation.check` ("idea" | "comment", id): decide once; a repeated run changes nothing."""
    subject = _subject(kind, subject_id)
    if subject is None:
        return "ignored"
    async with unit_of_work(ctx) as uow, uow.session() as session:
        outcome = await check_submission(session, kind=subject[0], subject_id=subject[1])
    return outcome.value if outcome else "unchanged"


async def reports(ctx: dict[str, Any], kind: str, subject_id: str) -> str:
    """`moderation.reports` ("idea" | "comment", id): hide once enough people reported; idempotent."""
    subject = _subject(kind, subject_id)
    if subject is None:
        return "ignored"
    async with unit_of_work(ctx) as uow, uow.session() as session:
        hidden = await hide_if_reported(session, kind=subject[0], subject_id=subject[1])
    return "hidden" if hidden else "unchanged"
