from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.moderation.subjects import decode_subject
from schema.moderation.types import (
    ModerationAppealType,
    ModerationSettingsType,
    ModerationSubject,
    ModerationTermType,
    subject_type,
)
from schema.permissions import Authenticated
from service.ideas.models import Lifecycle
from service.moderation import appeals, decisions, settings, terms
from service.moderation.decisions import Decision
from service.moderation.models import DEFAULT_REPORT_THRESHOLD, ModerationPolicy
from service.moderation.subjects import load_subject


@strawberry.input
class SetModerationPolicyInput:
    town_id: strawberry.ID
    policy: ModerationPolicy
    report_threshold: int = strawberry.field(
        default=DEFAULT_REPORT_THRESHOLD, description="Different people whose reports hide a contribution (1 to 100)."
    )


@strawberry.input
class ModerateSubmissionInput:
    subject_id: strawberry.ID = strawberry.field(description="The global id of an idea or a comment.")
    decision: Decision
    reason: str = strawberry.field(description="1 to 1 000 characters; the author reads it.")


@strawberry.input
class AppealDecisionInput:
    subject_id: strawberry.ID = strawberry.field(description="The global id of one's own idea or comment.")
    text: str = strawberry.field(description="1 to 2 000 characters: why the moderators should look again.")


@strawberry.input
class AddModerationTermInput:
    town_id: strawberry.ID
    term: str = strawberry.field(
        description="3 to 100 characters; a leading ! rejects at once, a * before or after matches compounds."
    )


@strawberry.input
class RemoveModerationTermInput:
    term_id: strawberry.ID


@strawberry.type(description="The town's checks use the term from now on (adding it again changes nothing).")
class ModerationTermAdded:
    term: ModerationTermType


@strawberry.type(description="The town's checks no longer use the term; earlier decisions stand.")
class ModerationTermRemoved:
    removed_term_id: strawberry.ID
    term: str


@strawberry.type(description="The town moderates by this policy from now on (setting it again changes nothing).")
class ModerationPolicySet:
    settings: ModerationSettingsType


@strawberry.type(description="The decision is applied, audited, the reports resolved and the author notified.")
class SubmissionModerated:
    subject: ModerationSubject
    decision: Decision
    lifecycle: Lifecycle


@strawberry.type(description="The appeal is in the town's moderation queue; the author is told the decision on it.")
class DecisionAppealed:
    appeal: ModerationAppealType
    subject: ModerationSubject


SetModerationPolicyResult = Annotated[
    ModerationPolicySet | InvalidInput | NotFoundError, strawberry.union("SetModerationPolicyResult")
]
ModerateSubmissionResult = Annotated[
    SubmissionModerated | InvalidInput | NotFoundError, strawberry.union("ModerateSubmissionResult")
]
AppealDecisionResult = Annotated[
    DecisionAppealed | InvalidInput | NotFoundError, strawberry.union("AppealDecisionResult")
]
AddModerationTermResult = Annotated[
    ModerationTermAdded | InvalidInput | NotFoundError, strawberry.union("AddModerationTermResult")
]
RemoveModerationTermResult = Annotated[
    ModerationTermRemoved | InvalidInput | NotFoundError, strawberry.union("RemoveModerationTermResult")
]


@strawberry.type
class ModerationMutations:
    @strawberry.mutation(
        description="Set a town's moderation policy (the town's admins and region admins).",
        permission_classes=[Authenticated],
    )
    async def set_moderation_policy(self, info: Info, input: SetModerationPolicyInput) -> SetModerationPolicyResult:
        async def action(session: AsyncSession) -> ModerationPolicySet:
            changed = await settings.set_moderation_policy(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId"),
                policy=input.policy,
                report_threshold=input.report_threshold,
            )
            return ModerationPolicySet(settings=ModerationSettingsType.from_settings(changed))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Publish, reject, hide or restore an idea or a comment, dismiss its reports, or uphold a "
        "decision its author appealed (moderators of its town). PUBLISH on a published contribution is taken as "
        "DISMISS_REPORTS, as older clients sent it.",
        permission_classes=[Authenticated],
    )
    async def moderate_submission(self, info: Info, input: ModerateSubmissionInput) -> ModerateSubmissionResult:
        async def action(session: AsyncSession) -> SubmissionModerated:
            kind, subject_id = decode_subject(input.subject_id)
            decided = await decisions.moderate_submission(
                session,
                info.context.viewer,
                kind=kind,
                subject_id=subject_id,
                decision=input.decision,
                reason=input.reason,
            )
            return SubmissionModerated(
                subject=subject_type(decided.row), decision=input.decision, lifecycle=decided.lifecycle
            )

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Ask the town's moderators for a second look at the rejection or hiding of one's own idea or "
        "comment; once per decision, audited.",
        permission_classes=[Authenticated],
    )
    async def appeal_decision(self, info: Info, input: AppealDecisionInput) -> AppealDecisionResult:
        async def action(session: AsyncSession) -> DecisionAppealed:
            kind, subject_id = decode_subject(input.subject_id)
            appeal = await appeals.appeal_decision(
                session, info.context.viewer, kind=kind, subject_id=subject_id, text=input.text
            )
            subject = await load_subject(session, kind, subject_id)
            assert subject is not None  # noqa: S101 - locked by the appeal
            return DecisionAppealed(appeal=ModerationAppealType.from_row(appeal), subject=subject_type(subject.row))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Add a word to the town's abuse lists (its moderators and admins); audited.",
        permission_classes=[Authenticated],
    )
    async def add_moderation_term(self, info: Info, input: AddModerationTermInput) -> AddModerationTermResult:
        async def action(session: AsyncSession) -> ModerationTermAdded:
            added = await terms.add_term(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId"),
                term=input.term,
            )
            return ModerationTermAdded(term=ModerationTermType.from_row(added))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Remove a word from the town's abuse lists (its moderators and admins); audited.",
        permission_classes=[Authenticated],
    )
    async def remove_moderation_term(self, info: Info, input: RemoveModerationTermInput) -> RemoveModerationTermResult:
        async def action(session: AsyncSession) -> ModerationTermRemoved:
            removed = await terms.remove_term(
                session, info.context.viewer, term_id=decode_id(input.term_id, "ModerationTerm", field="termId")
            )
            return ModerationTermRemoved(removed_term_id=input.term_id, term=removed.term)

        return await run_mutation(info, action)
