from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.ideas.types import CommentType, IdeaType
from schema.permissions import Authenticated
from schema.ratelimit import RateLimited
from service.ideas import service
from service.ideas.models import OfficialStatus, ReportReason
from service.towns.service import GeoPoint


@strawberry.input(description="A point on the map (WGS 84), inside the town.")
class GeoPointInput:
    latitude: float
    longitude: float


@strawberry.input
class SubmitIdeaInput:
    town_id: strawberry.ID
    strategy_area_id: strawberry.ID
    title: str = strawberry.field(description="5 to 140 characters.")
    body: str = strawberry.field(description="At most 5 000 characters.")
    location: GeoPointInput | None = None
    image_alt_texts: list[str] | None = strawberry.field(
        default=None, description="At most 10, each 1 to 300 characters."
    )


@strawberry.input(description="Only the fields given change; the idea must still be pending.")
class EditIdeaInput:
    idea_id: strawberry.ID
    title: str | None = None
    body: str | None = None
    strategy_area_id: strawberry.ID | None = None
    location: GeoPointInput | None = None
    remove_location: bool = False
    image_alt_texts: list[str] | None = None


@strawberry.input
class CommentOnIdeaInput:
    idea_id: strawberry.ID
    body: str = strawberry.field(description="1 to 2 000 characters.")
    reply_to: strawberry.ID | None = strawberry.field(default=None, description="A top-level comment to answer.")


@strawberry.input(description="Report exactly one idea or one comment.")
class ReportContentInput:
    reason: ReportReason
    idea_id: strawberry.ID | None = None
    comment_id: strawberry.ID | None = None
    text: str = strawberry.field(default="", description="Optional, at most 1 000 characters.")


@strawberry.input
class AnswerIdeaInput:
    idea_id: strawberry.ID
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


SubmitIdeaResult = Annotated[IdeaSubmitted | InvalidInput | NotFoundError, strawberry.union("SubmitIdeaResult")]
EditIdeaResult = Annotated[IdeaEdited | InvalidInput | NotFoundError, strawberry.union("EditIdeaResult")]
WithdrawIdeaResult = Annotated[IdeaWithdrawn | InvalidInput | NotFoundError, strawberry.union("WithdrawIdeaResult")]
SupportIdeaResult = Annotated[IdeaSupported | InvalidInput | NotFoundError, strawberry.union("SupportIdeaResult")]
WithdrawSupportResult = Annotated[
    SupportWithdrawn | InvalidInput | NotFoundError, strawberry.union("WithdrawSupportResult")
]
CommentOnIdeaResult = Annotated[CommentPosted | InvalidInput | NotFoundError, strawberry.union("CommentOnIdeaResult")]
ReportContentResult = Annotated[ContentReported | InvalidInput | NotFoundError, strawberry.union("ReportContentResult")]
AnswerIdeaResult = Annotated[IdeaAnswered | InvalidInput | NotFoundError, strawberry.union("AnswerIdeaResult")]


def _point(value: GeoPointInput | None) -> GeoPoint | None:
    return GeoPoint(value.latitude, value.longitude) if value else None


@strawberry.type
class IdeaMutations:
    @strawberry.mutation(
        description="Submit an idea to a town.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("idea.submit")],
    )
    async def submit_idea(self, info: Info, input: SubmitIdeaInput) -> SubmitIdeaResult:
        async def action(session: AsyncSession) -> IdeaSubmitted:
            idea = await service.submit_idea(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId"),
                strategy_area_id=decode_id(input.strategy_area_id, "StrategyArea", field="strategyAreaId"),
                title=input.title,
                body=input.body,
                location=_point(input.location),
                image_alt_texts=input.image_alt_texts,
            )
            return IdeaSubmitted(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Edit one's own idea while it is pending.", permission_classes=[Authenticated])
    async def edit_idea(self, info: Info, input: EditIdeaInput) -> EditIdeaResult:
        async def action(session: AsyncSession) -> IdeaEdited:
            area = input.strategy_area_id
            idea = await service.edit_idea(
                session,
                info.context.viewer,
                idea_id=decode_id(input.idea_id, "Idea", field="ideaId"),
                title=input.title,
                body=input.body,
                strategy_area_id=decode_id(area, "StrategyArea", field="strategyAreaId") if area else None,
                location=_point(input.location),
                clear_location=input.remove_location,
                image_alt_texts=input.image_alt_texts,
            )
            return IdeaEdited(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Withdraw one's own idea.", permission_classes=[Authenticated])
    async def withdraw_idea(self, info: Info, idea_id: strawberry.ID) -> WithdrawIdeaResult:
        async def action(session: AsyncSession) -> IdeaWithdrawn:
            idea_uuid = decode_id(idea_id, "Idea", field="ideaId")
            idea = await service.withdraw_idea(session, info.context.viewer, idea_id=idea_uuid)
            return IdeaWithdrawn(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Support a published idea (once per person).",
        permission_classes=[Authenticated],
        extensions=[RateLimited("idea.support")],
    )
    async def support_idea(self, info: Info, idea_id: strawberry.ID) -> SupportIdeaResult:
        async def action(session: AsyncSession) -> IdeaSupported:
            idea_uuid = decode_id(idea_id, "Idea", field="ideaId")
            idea = await service.support_idea(session, info.context.viewer, idea_id=idea_uuid)
            return IdeaSupported(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Take one's support back.", permission_classes=[Authenticated])
    async def withdraw_support(self, info: Info, idea_id: strawberry.ID) -> WithdrawSupportResult:
        async def action(session: AsyncSession) -> SupportWithdrawn:
            idea_uuid = decode_id(idea_id, "Idea", field="ideaId")
            idea = await service.withdraw_support(session, info.context.viewer, idea_id=idea_uuid)
            return SupportWithdrawn(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Comment on a published idea.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("idea.comment")],
    )
    async def comment_on_idea(self, info: Info, input: CommentOnIdeaInput) -> CommentOnIdeaResult:
        async def action(session: AsyncSession) -> CommentPosted:
            comment = await service.comment_on_idea(
                session,
                info.context.viewer,
                idea_id=decode_id(input.idea_id, "Idea", field="ideaId"),
                body=input.body,
                reply_to=decode_id(input.reply_to, "Comment", field="replyTo") if input.reply_to else None,
            )
            return CommentPosted(comment=CommentType.from_row(comment))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Report an idea or a comment to the moderators.",
        permission_classes=[Authenticated],
        extensions=[RateLimited("content.report")],
    )
    async def report_content(self, info: Info, input: ReportContentInput) -> ReportContentResult:
        async def action(session: AsyncSession) -> ContentReported:
            await service.report_content(
                session,
                info.context.viewer,
                idea_id=decode_id(input.idea_id, "Idea", field="ideaId") if input.idea_id else None,
                comment_id=decode_id(input.comment_id, "Comment", field="commentId") if input.comment_id else None,
                reason=input.reason,
                text=input.text,
            )
            return ContentReported()

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="The town's official status and answer (staff of the idea's town).",
        permission_classes=[Authenticated],
    )
    async def answer_idea(self, info: Info, input: AnswerIdeaInput) -> AnswerIdeaResult:
        async def action(session: AsyncSession) -> IdeaAnswered:
            idea = await service.answer_idea(
                session,
                info.context.viewer,
                idea_id=decode_id(input.idea_id, "Idea", field="ideaId"),
                status=input.status,
                answer=input.answer,
            )
            return IdeaAnswered(idea=IdeaType.from_row(idea))

        return await run_mutation(info, action)
