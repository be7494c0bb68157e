"""What stays of a deleted account's login identity: a keyed digest, only for what it protects.

A deleted account loses its issuer and subject, so the same person logging in again would be a stranger, free to
report an item a second time or to answer a running survey again, and a token issued before the deletion would
quietly create a new account. The digest is HMAC-SHA256 of issuer and subject under a server secret
(`Settings.identity_key`): it names no one, cannot be reversed without the key, and is kept only
- in `deleted_identities` with the time of deletion, for a day: tokens issued before then are refused;
- in `erased_identity_holds`, one row per survey the person took part in while it is still running, and per item
  they reported while the report is open. No time, no account id, nothing else: a hold cannot be joined with the
  deleted account's rows, and for an anonymous survey it says no more than the participation row did.
The `privacy.purge` cron deletes what no longer protects anything.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Report
from service.privacy.models import DeletedIdentity, ErasedIdentityHold
from service.surveys.models import Participation, Survey, SurveyStatus

DELETED_IDENTITY_RETENTION = timedelta(days=1)


def identity_digest(key: bytes, issuer: str, subject: str) -> bytes:
    return hmac.new(key, f"{issuer}\x00{subject}".encode(), hashlib.sha256).digest()


async def remember_deleted(session: AsyncSession, *, user_id: uuid.UUID, digest: bytes) -> None:
    """At deletion, before the identity is erased: the time, the running surveys and the open reports."""
    await session.execute(
        insert(DeletedIdentity)
        .values(digest=digest, deleted_at=func.now())
        .on_conflict_do_update(index_elements=[DeletedIdentity.digest], set_={"deleted_at": func.now()})
    )
    surveys = select(Participation.survey_id).join(Survey, Survey.id == Participation.survey_id)
    running = surveys.where(Participation.user_id == user_id, Survey.status == SurveyStatus.PUBLISHED.value)
    rows: list[dict[str, object]] = [{"survey_id": survey_id} for survey_id in (await session.scalars(running)).all()]
    reports = select(Report.idea_id, Report.comment_id).where(
        Report.reporter_id == user_id, Report.resolved_at.is_(None)
    )
    rows += [{"idea_id": idea, "comment_id": comment} for idea, comment in (await session.execute(reports)).all()]
    if rows:
        await session.execute(
            insert(ErasedIdentityHold).on_conflict_do_nothing(),
            [
                {"id": uuid.uuid4(), "digest": digest, "survey_id": None, "idea_id": None, "comment_id": None} | row
                for row in rows
            ],
        )


async def deleted_since(session: AsyncSession, digest: bytes) -> datetime | None:
    """When an account with this identity was deleted (within the retention), or None."""
    return await session.scalar(select(DeletedIdentity.deleted_at).where(DeletedIdentity.digest == digest))


async def held(
    session: AsyncSession,
    digest: bytes | None,
    *,
    survey_id: uuid.UUID | None = None,
    idea_id: uuid.UUID | None = None,
    comment_id: uuid.UUID | None = None,
) -> bool:
    """Whether a deleted account of this identity already took part in the survey or reported the item."""
    if digest is None:
        return False
    condition = (
        ErasedIdentityHold.survey_id == survey_id
        if survey_id is not None
        else ErasedIdentityHold.idea_id == idea_id
        if idea_id is not None
        else ErasedIdentityHold.comment_id == comment_id
    )
    return bool(await session.scalar(select(exists().where(ErasedIdentityHold.digest == digest, condition))))


async def purge_identities(session: AsyncSession) -> int:
    """Forget what protects nothing any more: old deletions, closed surveys, reviewed items. Returns rows deleted."""
    removed = 0
    for statement in (
        delete(DeletedIdentity).where(DeletedIdentity.deleted_at < func.now() - DELETED_IDENTITY_RETENTION),
        delete(ErasedIdentityHold).where(
            ErasedIdentityHold.survey_id.is_not(None),
            ~exists().where(Survey.id == ErasedIdentityHold.survey_id, Survey.status == SurveyStatus.PUBLISHED.value),
        ),
        delete(ErasedIdentityHold).where(
            ErasedIdentityHold.survey_id.is_(None),
            ~exists().where(
                Report.resolved_at.is_(None),
                (Report.idea_id == ErasedIdentityHold.idea_id) | (Report.comment_id == ErasedIdentityHold.comment_id),
            ),
        ),
    ):
        result = await session.execute(statement)
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
