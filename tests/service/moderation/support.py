"""Running the moderation services the way the worker does (one unit of work each) and reading what they wrote."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.audit.models import AuditEntry
from service.moderation.automated import check_submission
from service.moderation.models import ModerationDecision, Outcome, SubjectKind
from service.moderation.reports import hide_if_reported
from service.notifications.models import Notification


async def check(runtime: Runtime, subject_id: uuid.UUID, kind: SubjectKind = SubjectKind.IDEA) -> Outcome | None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await check_submission(session, kind=kind, subject_id=subject_id)


async def hide(runtime: Runtime, subject_id: uuid.UUID, kind: SubjectKind = SubjectKind.IDEA) -> bool:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await hide_if_reported(session, kind=kind, subject_id=subject_id)


async def decisions(runtime: Runtime, subject_id: uuid.UUID) -> list[ModerationDecision]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.scalars(
            select(ModerationDecision)
            .where(ModerationDecision.subject_id == subject_id)
            .order_by(ModerationDecision.created_at)
        )
        return list(rows)


async def audit_entries(runtime: Runtime, subject_id: uuid.UUID) -> list[AuditEntry]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.scalars(
            select(AuditEntry).where(AuditEntry.subject_id == subject_id).order_by(AuditEntry.created_at)
        )
        return list(rows)


async def notifications(runtime: Runtime, user_id: uuid.UUID) -> list[Notification]:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        rows = await session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.created_at)
        )
        return list(rows)
