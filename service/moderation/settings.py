"""Each town's moderation policy and report threshold; a town without settings uses the defaults."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.audit.service import record
from service.auth.viewer import Viewer
from service.kit.errors import NotFound, PermissionDenied, UserError
from service.moderation.errors import ModerationErrorCode
from service.moderation.models import (
    DEFAULT_POLICY,
    DEFAULT_REPORT_THRESHOLD,
    MAX_REPORT_THRESHOLD,
    ModerationPolicy,
    TownModerationSettings,
)
from service.moderation.policies import can_set_policy
from service.towns.errors import TownErrorCode
from service.towns.models import Town


@dataclass(frozen=True)
class ModerationSettings:
    town_id: uuid.UUID
    policy: ModerationPolicy
    report_threshold: int
    is_default: bool

    def describe(self) -> dict[str, object]:
        return {"policy": self.policy.value, "report_threshold": self.report_threshold}


def _default(town_id: uuid.UUID) -> ModerationSettings:
    return ModerationSettings(town_id, DEFAULT_POLICY, DEFAULT_REPORT_THRESHOLD, is_default=True)


async def town_settings(session: AsyncSession, town_id: uuid.UUID) -> ModerationSettings:
    row = await session.get(TownModerationSettings, town_id, populate_existing=True)
    if row is None:
        return _default(town_id)
    return ModerationSettings(town_id, ModerationPolicy(row.policy), row.report_threshold, is_default=False)


async def _lock_town(session: AsyncSession, town_id: uuid.UUID) -> Town:
    """Serialises changes to one town's settings; `FOR NO KEY UPDATE` lets new rows still reference the town."""
    town = await session.scalar(select(Town).where(Town.id == town_id).with_for_update(key_share=True))
    if town is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townId")
    return town


async def set_moderation_policy(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID,
    policy: ModerationPolicy,
    report_threshold: int = DEFAULT_REPORT_THRESHOLD,
) -> ModerationSettings:
    """Idempotent: setting what is already set changes nothing and records nothing."""
    viewer.require_person()
    if not can_set_policy(viewer, town_id):
        raise PermissionDenied(
            "Die Moderationsregeln einer Stadt legen deren Administratorinnen und Administratoren fest."
        )
    if not 1 <= report_threshold <= MAX_REPORT_THRESHOLD:
        raise UserError(
            ModerationErrorCode.REPORT_THRESHOLD_RANGE,
            f"Die Zahl der Meldungen muss zwischen 1 und {MAX_REPORT_THRESHOLD} liegen.",
            field="reportThreshold",
        )
    await _lock_town(session, town_id)
    before = await town_settings(session, town_id)
    after = ModerationSettings(town_id, policy, report_threshold, is_default=False)
    if before.describe() == after.describe() and not before.is_default:
        return before
    values = {"policy": policy.value, "report_threshold": report_threshold, "updated_by_id": viewer.user_id}
    await session.execute(
        insert(TownModerationSettings)
        .values(town_id=town_id, **values)
        .on_conflict_do_update(
            index_elements=[TownModerationSettings.town_id], set_={**values, "updated_at": func.now()}
        )
    )
    if before.describe() != after.describe():
        record(
            session,
            viewer,
            action="moderation.policy_changed",
            subject_type="town",
            subject_id=town_id,
            town_id=town_id,
            before=before.describe(),
            after=after.describe(),
        )
    return after
