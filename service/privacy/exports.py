"""A person's export of their own data: requested, built by a worker, fetched once through a link.

The link carries a random token; only its SHA-256 is stored. Fetching it needs the same person to be logged in,
works once, and only until `expires_at` (24 hours after the document was built).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from service.auth.viewer import Viewer
from service.kit.jobs import Job, request_job
from service.notifications.service import notify
from service.privacy.document import build_document
from service.privacy.jobs import EXPORT, ExportRef
from service.privacy.models import DataExport

LINK_LIFETIME = timedelta(hours=24)
EXPORT_PATH = "/me/export/"
MAX_LISTED = 20


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_export(session: AsyncSession, viewer: Viewer) -> DataExport:
    """Ask for an export of one's own data; while one is still being built, that one is returned."""
    user_id = viewer.require_person()
    pending = await session.scalar(
        select(DataExport).where(DataExport.user_id == user_id, DataExport.ready_at.is_(None)).with_for_update()
    )
    if pending is not None:
        return pending
    export = DataExport(id=uuid.uuid4(), user_id=user_id)
    session.add(export)
    await session.flush()
    await session.refresh(export)
    request_job(session, EXPORT(ExportRef(export.id)))
    return export


async def exports_of(session: AsyncSession, viewer: Viewer) -> Sequence[DataExport]:
    user_id = viewer.require_person()
    rows = await session.scalars(
        select(DataExport)
        .where(DataExport.user_id == user_id)
        .order_by(DataExport.created_at.desc(), DataExport.id)
        .limit(MAX_LISTED)
    )
    return rows.all()


async def build_export(session: AsyncSession, *, export_id: uuid.UUID, public_url: str) -> str:
    """`privacy.export`: build and store the document, then e-mail the link. Idempotent: a built export is
    left alone (its link was sent already)."""
    export = await session.scalar(select(DataExport).where(DataExport.id == export_id).with_for_update())
    if export is None:
        return "unknown"
    if export.ready_at is not None:
        return "already built"
    document = await build_document(session, export.user_id)
    token = secrets.token_urlsafe(32)
    now: datetime | None = await session.scalar(select(func.now()))
    assert now is not None  # noqa: S101 - now() is never NULL
    export.document = document
    export.token_hash = _hash(token)
    export.ready_at = now
    export.expires_at = now + LINK_LIFETIME
    link = f"{public_url.rstrip('/')}{EXPORT_PATH}{token}"
    notify(
        session,
        user_id=export.user_id,
        kind="privacy.export_ready",
        subject="Ihre Daten stehen zum Abruf bereit",
        body=(
            "Sie haben eine Kopie Ihrer bei Mitmachen gespeicherten Daten angefordert.\n\n"
            f"Sie können sie einmal abrufen, angemeldet mit Ihrem Konto, innerhalb von "
            f"{int(LINK_LIFETIME.total_seconds() // 3600)} Stunden nach dieser Nachricht:\n{link}\n\n"
            "Wenn Sie das nicht angefordert haben, können Sie diese Nachricht ignorieren.\n"
        ),
    )
    await session.flush()
    return "built"


class ExportGone(Exception):
    """The link was used already or has expired (HTTP 410)."""


async def take_document(session: AsyncSession, viewer: Viewer, *, token: str) -> dict[str, Any] | None:
    """The document behind a link, for its own person only, once: None when there is no such link for this
    person (another person's link looks exactly like an unknown one); `ExportGone` when used or expired.

    The row is locked, so two simultaneous downloads cannot both succeed; the document is dropped on use."""
    user_id = viewer.require_person()
    row = (
        await session.execute(
            select(DataExport, func.now())
            .options(undefer(DataExport.document))
            .where(DataExport.token_hash == _hash(token), DataExport.user_id == user_id)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        return None
    export, now = row
    if export.used_at is not None or export.expires_at is None or export.expires_at <= now:
        raise ExportGone
    document = export.document
    await session.execute(
        update(DataExport).where(DataExport.id == export.id).values(used_at=func.now(), document=null())
    )
    return document


async def unbuilt(session: AsyncSession, older_than: timedelta) -> Sequence[Job]:
    """Sweeper: exports still not built after `older_than` are requested again."""
    ids = await session.scalars(
        select(DataExport.id).where(DataExport.ready_at.is_(None), DataExport.created_at < func.now() - older_than)
    )
    return [EXPORT(ExportRef(export_id)) for export_id in ids]


async def drop_expired_documents(session: AsyncSession) -> int:
    """`privacy.purge` (cron): documents whose link expired are deleted; the row (without data) remains as a
    record that an export was made, until the account goes."""
    result = await session.scalars(
        update(DataExport)
        .where(DataExport.expires_at <= func.now(), DataExport.document.is_not(None))
        .values(document=null())
        .returning(DataExport.id)
    )
    return len(result.all())
