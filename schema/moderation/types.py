from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from schema.context import Info
from schema.ideas.types import CommentType, IdeaType
from schema.moderation.info import reason_list
from schema.towns.types import TownType
from schema.users.types import UserType
from service.audit.models import AuditEntry
from service.ideas.models import Comment, Idea, Lifecycle, ReportReason
from service.moderation.decisions import Decision
from service.moderation.history import LAST_DECISIONS, AuthorHistory, AuthorKey
from service.moderation.lexicon import parse_term
from service.moderation.models import (
    ModerationAppeal,
    ModerationDecision,
    ModerationPolicy,
    ModerationTerm,
    Outcome,
    SubjectKind,
)
from service.moderation.queue import OpenReport, QueueEntry
from service.moderation.reasons import Reason, explain
from service.moderation.settings import ModerationSettings
from service.moderation.status import ModerationStatus

strawberry.enum(ModerationPolicy, name="ModerationPolicy", description="How a town moderates contributions.")
strawberry.enum(Decision, name="ModerationDecision", description="A moderator's decision on a contribution.")

ModerationSubject = Annotated[IdeaType | CommentType, strawberry.union("ModerationSubject")]

# Audit entries name their subject by kind; these kinds have global ids.
GLOBAL_TYPE_NAMES = {
    "idea": "Idea",
    "comment": "Comment",
    "user": "User",
    "town": "Town",
    "moderation_term": "ModerationTerm",
}


def subject_type(row: Idea | Comment) -> IdeaType | CommentType:
    return IdeaType.from_row(row) if isinstance(row, Idea) else CommentType.from_row(row)


async def _town(info: Info, town_id: uuid.UUID) -> TownType:
    row = await info.context.loaders.town_by_id.load(town_id)
    assert row is not None  # noqa: S101 - a foreign key
    return TownType.from_row(row)


@strawberry.type(name="ModerationSettings", description="A town's moderation policy.")
class ModerationSettingsType:
    policy: ModerationPolicy
    report_threshold: int = strawberry.field(description="Different people whose reports hide a contribution.")
    is_default: bool = strawberry.field(description="True while the town has not chosen its own settings.")
    town_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_settings(cls, settings: ModerationSettings) -> Self:
        return cls(
            policy=settings.policy,
            report_threshold=settings.report_threshold,
            is_default=settings.is_default,
            town_id=settings.town_id,
        )

    @strawberry.field
    async def town(self, info: Info) -> TownType:
        return await _town(info, self.town_id)


@strawberry.type(
    name="ModerationReport",
    description="An open report as the town's moderators read it: reason, the reporter's words and when. Who "
    "reported is not shown: judging the contribution needs what was said, not who said it, and people report "
    "more freely when the town's moderators (who may know the author) cannot name them.",
)
class ModerationReportType:
    reason: ReportReason
    text: str = strawberry.field(description="The reporter's own words; empty when they gave none.")
    created_at: datetime

    @classmethod
    def from_report(cls, report: OpenReport) -> Self:
        return cls(reason=ReportReason(report.reason), text=report.text, created_at=report.created_at)


@strawberry.type(name="ModerationAppeal", description="An author's request for a second look at a decision.")
class ModerationAppealType:
    id: strawberry.ID = strawberry.field(description="A global id (type ModerationAppeal).")
    text: str = strawberry.field(description="Why the author asks for a second look, in their words.")
    created_at: datetime
    resolution: str | None = strawberry.field(description="null while open; `reversed` or `upheld` once decided.")
    resolved_at: datetime | None

    @classmethod
    def from_row(cls, row: ModerationAppeal) -> Self:
        return cls(
            id=strawberry.ID(str(relay.GlobalID("ModerationAppeal", str(row.id)))),
            text=row.text,
            created_at=row.created_at,
            resolution=row.resolution,
            resolved_at=row.resolved_at,
        )


@strawberry.type(
    name="AuthorHistory",
    description="An author's ideas and comments in one town by where they stand, and the last decisions on them.",
)
class AuthorHistoryType:
    published: int
    rejected: int
    hidden: int
    decisions: list[ModerationDecisionRecordType] = strawberry.field(
        description=f"The last {LAST_DECISIONS} decisions by moderators (not the automated checks), newest first."
    )

    @classmethod
    def from_history(cls, history: AuthorHistory) -> Self:
        return cls(
            published=history.published,
            rejected=history.rejected,
            hidden=history.hidden,
            decisions=[ModerationDecisionRecordType.from_row(row) for row in history.decisions],
        )


@strawberry.type(
    description="A contribution waiting for a moderator: held by the checks, reported, or appealed by its author."
)
class ModerationQueueItem:
    subject: ModerationSubject
    reasons: list[Reason] = strawberry.field(
        description="Reason codes of the checks, REPORTED if reported, APPEALED if its author appealed."
    )
    explanations: list[str] = strawberry.field(description="The reasons in German.")
    lifecycle: Lifecycle
    queued_at: datetime = strawberry.field(
        description="When it was held, first reported or appealed, whichever came first."
    )
    held_at: datetime | None
    report_count: int = strawberry.field(description="Different people with open reports.")
    report_reasons: list[ReportReason]
    appealed_at: datetime | None = strawberry.field(description="When its author appealed; null without an appeal.")
    key: strawberry.Private[tuple[SubjectKind, uuid.UUID]]
    author_key: strawberry.Private[AuthorKey]

    @classmethod
    def from_entry(cls, entry: QueueEntry) -> Self:
        return cls(
            subject=subject_type(entry.subject),
            reasons=reason_list(entry.reasons),
            explanations=explain(entry.reasons, kind=entry.kind, reporters=entry.reporters),
            lifecycle=Lifecycle(entry.subject.lifecycle),
            queued_at=entry.queued_at,
            held_at=entry.held_at,
            report_count=entry.reporters,
            report_reasons=[ReportReason(reason) for reason in entry.report_reasons],
            appealed_at=entry.appealed_at,
            key=(entry.kind, entry.subject.id),
            author_key=(entry.subject.town_id, entry.subject.author_id),
        )

    @strawberry.field(description="The open reports, oldest first (reason, words, time; not who reported).")
    async def reports(self, info: Info) -> list[ModerationReportType]:
        found = await info.context.loaders.open_reports_by_subject.load(self.key)
        return [ModerationReportType.from_report(report) for report in found]

    @strawberry.field(description="The author's earlier decisions in the town: what became of their contributions.")
    async def author_history(self, info: Info) -> AuthorHistoryType:
        found = await info.context.loaders.author_history_by_town_and_author.load(self.author_key)
        return AuthorHistoryType.from_history(found)

    @strawberry.field(description="The author's open appeal, if any.")
    async def appeal(self, info: Info) -> ModerationAppealType | None:
        found = await info.context.loaders.open_appeal_by_subject.load(self.key)
        return ModerationAppealType.from_row(found) if found is not None else None


@strawberry.type
class ModerationQueueEdge:
    cursor: str
    node: ModerationQueueItem


@strawberry.type(description="A page of the moderation queue (Relay connection).")
class ModerationQueueConnection:
    edges: list[ModerationQueueEdge]
    page_info: relay.PageInfo


@strawberry.type(name="AuditEntry", description="One decision in a town's audit log; entries are never changed.")
class AuditEntryType:
    id: strawberry.ID
    action: str = strawberry.field(description="For example `moderation.hidden` or `moderation.policy_changed`.")
    subject_type: str
    subject_id: strawberry.ID | None = strawberry.field(description="A global id where the subject has one.")
    reason: str
    before: JSON | None
    after: JSON | None
    created_at: datetime
    actor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: AuditEntry) -> Self:
        return cls(
            id=strawberry.ID(str(row.id)),
            action=row.action,
            subject_type=row.subject_type,
            subject_id=_global_id(row.subject_type, row.subject_id),
            reason=row.reason,
            before=JSON(row.before) if row.before is not None else None,
            after=JSON(row.after) if row.after is not None else None,
            created_at=row.created_at,
            actor_id=row.actor_id,
        )

    @strawberry.field(description="Who decided; null for the system (automated checks, reports).")
    async def actor(self, info: Info) -> UserType | None:
        if self.actor_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.actor_id)
        return UserType.from_row(row) if row else None


def _global_id(kind: str, subject_id: uuid.UUID | None) -> strawberry.ID | None:
    if subject_id is None:
        return None
    type_name = GLOBAL_TYPE_NAMES.get(kind)
    if type_name is None:
        return strawberry.ID(str(subject_id))
    return strawberry.ID(str(relay.GlobalID(type_name, str(subject_id))))


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntryType


@strawberry.type(description="A page of the audit log (Relay connection).")
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: relay.PageInfo


@strawberry.type(name="ModerationDecisionRecord", description="One decision on a contribution.")
class ModerationDecisionRecordType:
    outcome: Outcome
    automated: bool
    reasons: list[Reason]
    note: str = strawberry.field(description="The moderator's reason; empty for automated decisions.")
    decided_at: datetime

    @classmethod
    def from_row(cls, row: ModerationDecision) -> Self:
        return cls(
            outcome=Outcome(row.outcome),
            automated=row.automated,
            reasons=reason_list(row.reasons),
            note=row.note,
            decided_at=row.created_at,
        )


@strawberry.type(name="ModerationStatus", description="Where a contribution stands in moderation, and why.")
class ModerationStatusType:
    subject: ModerationSubject
    lifecycle: Lifecycle
    reasons: list[Reason] = strawberry.field(description="Reason codes of the last automated check.")
    explanations: list[str] = strawberry.field(description="The reasons in German.")
    held_at: datetime | None
    last_decision: ModerationDecisionRecordType | None

    @classmethod
    def from_status(cls, status: ModerationStatus) -> Self:
        row = status.subject.row
        return cls(
            subject=subject_type(row),
            lifecycle=Lifecycle(row.lifecycle),
            reasons=reason_list(row.moderation_reasons),
            explanations=explain(row.moderation_reasons, kind=status.subject.kind),
            held_at=row.held_at,
            last_decision=ModerationDecisionRecordType.from_row(status.last_decision) if status.last_decision else None,
        )


@strawberry.type(name="ModerationTerm", description="A word a town adds to the built-in abuse lists.")
class ModerationTermType:
    id: strawberry.ID = strawberry.field(description="A global id (type ModerationTerm).")
    term: str = strawberry.field(
        description="As written: a leading ! rejects at once, a * before or after also matches compounds."
    )
    severe: bool = strawberry.field(description="Contributions containing it are rejected, not held.")
    created_at: datetime
    town_id: strawberry.Private[uuid.UUID]
    added_by_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: ModerationTerm) -> Self:
        parsed = parse_term(row.term)
        return cls(
            id=strawberry.ID(str(relay.GlobalID("ModerationTerm", str(row.id)))),
            term=row.term,
            severe=parsed is not None and parsed.severe,
            created_at=row.created_at,
            town_id=row.town_id,
            added_by_id=row.added_by_id,
        )

    @strawberry.field
    async def town(self, info: Info) -> TownType:
        return await _town(info, self.town_id)

    @strawberry.field(description="Who added it; null once that account is gone.")
    async def added_by(self, info: Info) -> UserType | None:
        if self.added_by_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(self.added_by_id)
        return UserType.from_row(row) if row else None
