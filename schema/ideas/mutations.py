from __future__ import annotations

import strawberry

from schema.ideas.types import CommentType, IdeaType
from schema.ids import CommentId, IdeaId, StrategyAreaId, TownId
from schema.mutation import Call, mutation, service_mutation
from service.ideas import service
from service.ideas.models import OfficialStatus, ReportReason
from service.kit.geo import GeoPoint


@strawberry.input(description="A point on the map (WGS 84), inside the town.")
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.input
class SubmitIdeaInput:
    town_id: TownId
    strategy_area_id: StrategyAreaId
    title: str = strawberry.field(description="5 to 140 characters.")
    body: str = strawberry.field(description="At most 5 000 characters.")
    location: GeoPointInput | None = None
    image_alt_texts: list[str] | None = strawberry.field(
        default=None, description="At most 10, each 1 to 300 characters."
    )


@strawberry.input(
    description="Only the fields given change; the idea must still be pending. `location: null` removes the place."
)
class EditIdeaInput:
    idea_id: IdeaId
    title: str | None = None
    body: str | None = None
    strategy_area_id: StrategyAreaId | None = None
    location: GeoPointInput | None = strawberry.UNSET
    image_alt_texts: list[str] | None = None


@strawberry.input
class CommentOnIdeaInput:
    idea_id: IdeaId
    body: str = strawberry.field(description="1 to 2 000 characters.")
    reply_to: CommentId | None = strawberry.field(default=None, description="A top-level comment to answer.")


@strawberry.input(description="Report exactly one idea or one comment.")
class ReportContentInput:
    reason: ReportReason
    idea_id: IdeaId | None = None
    comment_id: CommentId | None = None
    text: str = strawberry.field(default="", description="Optional, at most 1 000 characters.")


@strawberry.input
class AnswerIdeaInput:
    idea_id: IdeaId
    status: OfficialStatus
    answer: str = strawberry.field(description="1 to 5 000 characters, shown publicly with the status.")


@strawberry.type(description="The idea is stored and waits for moderation.")
class IdeaSubmitted:
    idea: IdeaType


@strawberry.type
class IdeaEdited:
    idea: IdeaType


@strawberry.type
class IdeaWithdrawn:
    idea: IdeaType


@strawberry.type(description="The person supports the idea (supporting twice counts once).")
class IdeaSupported:
    idea: IdeaType


@strawberry.type
class SupportWithdrawn:
    idea: IdeaType


@strawberry.type(description="The comment is stored and waits for moderation.")
class CommentPosted:
    comment: CommentType


@strawberry.type(description="Thank you: moderators will look at it.")
class ContentReported:
    reported: bool = True


@strawberry.type
class IdeaAnswered:
    idea: IdeaType


def _point(value: GeoPointInput | None) -> GeoPoint | None:
    return GeoPoint(value.latitude, value.longitude) if value else None


@strawberry.type
class IdeaMutations:
    @mutation("Submit an idea to a town.", rate_limit="idea.submit")
    async def submit_idea(call: Call, input: SubmitIdeaInput) -> IdeaSubmitted:
        fields = vars(input) | {"location": _point(input.location)}
        return IdeaSubmitted(idea=IdeaType.from_row(await service.submit_idea(call.session, call.viewer, **fields)))

    @mutation("Edit one's own idea while it is pending.")
    async def edit_idea(call: Call, input: EditIdeaInput) -> IdeaEdited:
        fields = vars(input) | {"location": _point(input.location), "clear_location": input.location is None}
        return IdeaEdited(idea=IdeaType.from_row(await service.edit_idea(call.session, call.viewer, **fields)))

    withdraw_idea = service_mutation(service.withdraw_idea, IdeaWithdrawn, "Withdraw one's own idea.", idea_id=IdeaId)
    support_idea = service_mutation(
        service.support_idea,
        IdeaSupported,
        "Support a published idea (once per person).",
        rate_limit="idea.support",
        idea_id=IdeaId,
    )
    withdraw_support = service_mutation(
        service.withdraw_support, SupportWithdrawn, "Take one's support back.", idea_id=IdeaId
    )
    comment_on_idea = service_mutation(
        service.comment_on_idea,
        CommentPosted,
        "Comment on a published idea.",
        rate_limit="idea.comment",
        input=CommentOnIdeaInput,
    )

    @mutation("Report an idea or a comment to the moderators.", rate_limit="content.report")
    async def report_content(call: Call, input: ReportContentInput) -> ContentReported:
        await service.report_content(call.session, call.viewer, **vars(input))
        return ContentReported()

    answer_idea = service_mutation(
        service.answer_idea,
        IdeaAnswered,
        "The town's official status and answer (staff of the idea's town).",
        input=AnswerIdeaInput,
    )
