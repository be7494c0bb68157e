"""Why a contribution stands where it stands, as a field of Idea and Comment (their authors and the town's
moderators see it; everyone else reads null). Kept apart from `types` so that the ideas types can use it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from schema.context import Info
from service.ideas.models import Idea
from service.moderation.models import ModerationDecision, Outcome, SubjectKind
from service.moderation.policies import can_see_moderation
from service.moderation.reasons import Reason, explain

if TYPE_CHECKING:
    from schema.ideas.types import IdeaType
    from service.ideas.models import Lifecycle

strawberry.enum(Reason, name="ModerationReason", description="Why a contribution was held, rejected or hidden.")
strawberry.enum(Outcome, name="ModerationOutcome", description="What a decision did to a contribution.")


def reason_list(codes: list[str] | tuple[str, ...]) -> list[Reason]:
    known = {reason.value: reason for reason in Reason}
    return [known[code] for code in codes if code in known]


@strawberry.type(name="ModerationInfo", description="Where a contribution stands in moderation, and why.")
class ModerationInfoType:
    status: Annotated[Lifecycle, strawberry.lazy("schema.ideas.types")] = strawberry.field(
        description="The same as the contribution's lifecycle."
    )
    outcome: Outcome | None = strawberry.field(description="What the last decision did; null before any decision.")
    automated: bool | None = strawberry.field(description="Whether the last decision was the automated check's.")
    reasons: list[Reason] = strawberry.field(description="Reason codes of the last decision.")
    explanations: list[str] = strawberry.field(description="The reasons in German.")
    note: str = strawberry.field(description="The moderator's own words; empty for automated decisions.")
    decided_at: datetime | None
    similar: strawberry.Private[Idea | None] = None

    @classmethod
    def from_decision(
        cls, status: Lifecycle, decision: ModerationDecision | None, *, kind: SubjectKind, similar: Idea | None = None
    ) -> Self:
        if decision is None:
            return cls(
                status=status, outcome=None, automated=None, reasons=[], explanations=[], note="", decided_at=None
            )
        return cls(
            status=status,
            outcome=Outcome(decision.outcome),
            automated=decision.automated,
            reasons=reason_list(decision.reasons),
            explanations=explain(decision.reasons, kind=kind, similar_title=similar.title if similar else None),
            note=decision.note,
            decided_at=decision.created_at,
            similar=similar,
        )

    @strawberry.field(
        description="For a near-duplicate: the published idea it resembles, which the author may support instead; "
        "null when there is none or that idea is not public."
    )
    def similar_idea(self) -> Annotated[IdeaType, strawberry.lazy("schema.ideas.types")] | None:
        from schema.ideas.types import IdeaType  # noqa: PLC0415 - the ideas types use this module

        return IdeaType.from_row(self.similar) if self.similar is not None else None


async def moderation_info(
    info: Info, kind: SubjectKind, subject_id: uuid.UUID, *, author_id: uuid.UUID, town_id: uuid.UUID, status: Lifecycle
) -> ModerationInfoType | None:
    if not can_see_moderation(info.context.viewer, author_id=author_id, town_id=town_id):
        return None
    shown = await info.context.loaders.moderation_decision_by_subject.load((kind, subject_id))
    if shown is None:
        return ModerationInfoType.from_decision(status, None, kind=kind)
    return ModerationInfoType.from_decision(status, shown.decision, kind=kind, similar=shown.similar_idea)
