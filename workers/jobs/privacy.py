"""Privacy jobs: build a person's data export and e-mail the link; drop export documents whose link expired."""

from __future__ import annotations

import logging
from typing import Any

from service.events.log import purge as purge_events
from service.kit.jobs import NO_ARGUMENTS, NoArguments
from service.privacy.exports import build_export, drop_expired_documents
from service.privacy.identities import purge_identities
from service.privacy.jobs import ExportRef
from workers.context import runtime_of, unit_of_work

logger = logging.getLogger("mitmachen.worker")


async def export(ctx: dict[str, Any], export: ExportRef) -> str:
    """`privacy.export`: idempotent; an export built once is never built (or mailed) again."""
    public_url = runtime_of(ctx).settings.public_url
    async with unit_of_work(ctx) as uow, uow.session() as session:
        return await build_export(session, export_id=export.export_id, public_url=public_url)


async def purge(ctx: dict[str, Any], _: NoArguments = NO_ARGUMENTS) -> int:
    """`privacy.purge` (cron): delete the documents of expired export links (returns how many) and events older
    than 30 days."""
    async with unit_of_work(ctx) as uow, uow.session() as session:
        dropped = await drop_expired_documents(session)
        forgotten = await purge_identities(session)
        expired_events = await purge_events(session)
    if expired_events:
        logger.info("deleted %d events older than 30 days", expired_events)
    if forgotten:
        logger.info("forgot %d identity digests of deleted accounts", forgotten)
    if dropped:
        logger.info("dropped %d expired data exports", dropped)
    return dropped
