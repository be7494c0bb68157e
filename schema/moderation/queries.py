from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.moderation.subjects import decode_subject
from schema.moderation.types import (
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntryType,
    ModerationQueueConnection,
    ModerationQueueEdge,
    ModerationQueueItem,
    ModerationSettingsType,
    ModerationStatusType,
    ModerationTermType,
)
from schema.pagination import connection
from schema.permissions import Authenticated, Public
from service.kit.errors import InvalidArgument, UserError
from service.moderation import audit_log, queue, settings, status, terms
from service.moderation.reasons import Reason

DEFAULT_QUEUE_PAGE = 20
DEFAULT_AUDIT_PAGE = 50


def decode_town(value: strawberry.ID) -> uuid.UUID:
    """Queries have no result union: a malformed id is a top-level BAD_USER_INPUT error."""
    try:
        return decode_id(value, "Town", field="townId")
    except UserError as error:
        raise InvalidArgument(error.message) from None


@strawberry.type
class ModerationQueries:
    @strawberry.field(
        description="A town's moderation policy; public, so that everyone can see how a town moderates.",
        permission_classes=[Public],
    )
    async def moderation_settings(self, info: Info, town_id: strawberry.ID) -> ModerationSettingsType:
        town = decode_town(town_id)
        async with info.context.uow.session() as session:
            found = await settings.town_settings(session, town)
        return ModerationSettingsType.from_settings(found)

    @strawberry.field(
        description="Held and reported contributions of a town, oldest first (its moderators and admins).",
        permission_classes=[Authenticated],
    )
    async def moderation_queue(
        self,
        info: Info,
        town_id: strawberry.ID,
        first: int = DEFAULT_QUEUE_PAGE,
        after: str | None = None,
        reason: Reason | None = None,
    ) -> ModerationQueueConnection:
        town = decode_town(town_id)
        async with info.context.uow.session() as session:
            page = await queue.moderation_queue(
                session, info.context.viewer, town_id=town, first=first, after=after, reason=reason
            )
        return connection(
            ModerationQueueConnection,
            ModerationQueueEdge,
            page.entries,
            cursor=lambda entry: entry.cursor,
            node=ModerationQueueItem.from_entry,
            has_next_page=page.has_next_page,
            after=after,
        )

    @strawberry.field(
        description="A town's audit log, newest first (its moderators and admins), filtered by what, who and when.",
        permission_classes=[Authenticated],
    )
    async def audit_log(
        self,
        info: Info,
        *,
        town_id: strawberry.ID,
        first: int = DEFAULT_AUDIT_PAGE,
        after: str | None = None,
        action: Annotated[
            str | None, strawberry.argument(description="One action, or a group of them ending in a dot: `role.`.")
        ] = None,
        actor_id: Annotated[strawberry.ID | None, strawberry.argument(description="Only what this person did.")] = None,
        since: Annotated[datetime | None, strawberry.argument(description="From this moment on.")] = None,
        until: Annotated[datetime | None, strawberry.argument(description="Before this moment.")] = None,
    ) -> AuditEntryConnection:
        town = decode_town(town_id)
        try:
            actor = decode_id(actor_id, "User", field="actorId") if actor_id else None
        except UserError as error:
            raise InvalidArgument(error.message) from None
        only = audit_log.AuditFilter(action=action, actor_id=actor, since=since, until=until)
        async with info.context.uow.session() as session:
            page = await audit_log.audit_log(
                session, info.context.viewer, town_id=town, first=first, after=after, only=only
            )
        return connection(
            AuditEntryConnection,
            AuditEntryEdge,
            page.entries,
            cursor=audit_log.audit_cursor,
            node=AuditEntryType.from_row,
            has_next_page=page.has_next_page,
            after=after,
        )

    @strawberry.field(
        description="Where an idea or a comment stands in moderation and why; null unless it is one's own "
        "or one moderates its town.",
        permission_classes=[Authenticated],
    )
    async def moderation_status(self, info: Info, subject_id: strawberry.ID) -> ModerationStatusType | None:
        try:
            kind, subject = decode_subject(subject_id)
        except UserError as error:
            raise InvalidArgument(error.message) from None
        async with info.context.uow.session() as session:
            found = await status.moderation_status(session, info.context.viewer, kind=kind, subject_id=subject)
        return ModerationStatusType.from_status(found) if found else None

    @strawberry.field(
        description="The town's own abuse terms, alphabetically (its moderators and admins).",
        permission_classes=[Authenticated],
    )
    async def moderation_terms(self, info: Info, town_id: strawberry.ID) -> list[ModerationTermType]:
        town = decode_town(town_id)
        async with info.context.uow.session() as session:
            found = await terms.town_terms(session, info.context.viewer, town_id=town)
        return [ModerationTermType.from_row(row) for row in found]
