from __future__ import annotations

import strawberry
from strawberry.relay import to_base64

from schema.ids import ModerationTermId, TownId
from schema.moderation.subjects import decode_subject
from schema.moderation.types import (
    ModerationAppealType,
    ModerationSettingsType,
    ModerationSubject,
    ModerationTermType,
    subject_type,
)
from schema.mutation import Call, mutation, service_mutation
from service.ideas.models import Lifecycle
from service.moderation import appeals, decisions, settings, terms
from service.moderation.decisions import Decision
from service.moderation.models import DEFAULT_REPORT_THRESHOLD, ModerationPolicy
from service.moderation.subjects import load_subject


@strawberry.input
class SetModerationPolicyInput:
    town_id: TownId
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
    town_id: TownId
    term: str = strawberry.field(
        description="3 to 100 characters; a leading ! rejects at once, a * before or after matches compounds."
    )


@strawberry.input
class RemoveModerationTermInput:
    term_id: ModerationTermId


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


@strawberry.type
class ModerationMutations:
    @mutation("Set a town's moderation policy (the town's admins and region admins).")
    async def set_moderation_policy(call: Call, input: SetModerationPolicyInput) -> ModerationPolicySet:
        changed = await settings.set_moderation_policy(call.session, call.viewer, **vars(input))
        return ModerationPolicySet(settings=ModerationSettingsType.from_settings(changed))

    @mutation(
        "Publish, reject, hide or restore an idea or a comment, dismiss its reports, or uphold a decision its author "
        "appealed (moderators of its town). PUBLISH on a published contribution is taken as DISMISS_REPORTS, as older "
        "clients sent it."
    )
    async def moderate_submission(call: Call, input: ModerateSubmissionInput) -> SubmissionModerated:
        kind, subject_id = decode_subject(input.subject_id)
        decided = await decisions.moderate_submission(
            call.session, call.viewer, kind=kind, subject_id=subject_id, decision=input.decision, reason=input.reason
        )
        return SubmissionModerated(
            subject=subject_type(decided.row), decision=input.decision, lifecycle=decided.lifecycle
        )

    @mutation(
        "Ask the town's moderators for a second look at the rejection or hiding of one's own idea or comment; once "
        "per decision, audited."
    )
    async def appeal_decision(call: Call, input: AppealDecisionInput) -> DecisionAppealed:
        kind, subject_id = decode_subject(input.subject_id)
        appeal = await appeals.appeal_decision(
            call.session, call.viewer, kind=kind, subject_id=subject_id, text=input.text
        )
        subject = await load_subject(call.session, kind, subject_id)
        assert subject is not None  # noqa: S101 - locked by the appeal
        return DecisionAppealed(appeal=ModerationAppealType.from_row(appeal), subject=subject_type(subject.row))

    add_moderation_term = service_mutation(
        terms.add_term,
        ModerationTermAdded,
        "Add a word to the town's abuse lists (its moderators and admins); audited.",
        name="add_moderation_term",
        input=AddModerationTermInput,
    )

    @mutation("Remove a word from the town's abuse lists (its moderators and admins); audited.")
    async def remove_moderation_term(call: Call, input: RemoveModerationTermInput) -> ModerationTermRemoved:
        removed = await terms.remove_term(call.session, call.viewer, term_id=input.term_id)
        return ModerationTermRemoved(
            removed_term_id=strawberry.ID(to_base64("ModerationTerm", input.term_id)), term=removed.term
        )
