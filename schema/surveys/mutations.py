from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.context import Info
from schema.errors import InvalidInput, NotFoundError, decode_id, run_mutation
from schema.permissions import Authenticated
from schema.ratelimit import RateLimited
from schema.surveys.questions import SurveyQuestionInput, question_spec
from schema.surveys.types import SurveyType
from service.surveys import responses, service
from service.surveys.answers import AnswerInput
from service.surveys.models import Audience, Survey
from service.surveys.service import SurveyFields


@strawberry.input
class DraftSurveyInput:
    town_id: strawberry.ID
    title: str = strawberry.field(description="5 to 140 characters.")
    closes_at: datetime = strawberry.field(description="With a time zone; answers are taken until then.")
    description: str = strawberry.field(default="", description="At most 5 000 characters.")
    strategy_area_id: strawberry.ID | None = None
    opens_at: datetime | None = strawberry.field(default=None, description="Null: open as soon as published.")
    audience: Audience = Audience.EVERYONE
    is_anonymous: bool = False
    results_public: bool = False


@strawberry.input(description="Only the fields given change; drafts only.")
class UpdateSurveyInput:
    survey_id: strawberry.ID
    title: str | None = None
    description: str | None = None
    strategy_area_id: strawberry.ID | None = None
    remove_strategy_area: bool = False
    opens_at: datetime | None = None
    remove_opens_at: bool = False
    closes_at: datetime | None = None
    audience: Audience | None = None
    is_anonymous: bool | None = None
    results_public: bool | None = None


@strawberry.input
class SetSurveyQuestionsInput:
    survey_id: strawberry.ID
    questions: list[SurveyQuestionInput]


@strawberry.input(
    description="Choice questions: `optionIndexes` (and `otherText` if allowed); ranking: `optionIndexes`, every "
    "option once, most preferred first; free text: `text`; scale, number and rating: `value`."
)
class SurveyAnswerInput:
    question_id: strawberry.ID
    option_indexes: list[int] | None = None
    other_text: str | None = None
    text: str | None = None
    value: float | None = None


@strawberry.input
class AnswerSurveyInput:
    survey_id: strawberry.ID
    answers: list[SurveyAnswerInput]


@strawberry.type(description="A draft: only the town's staff see it until it is published.")
class SurveyDrafted:
    survey: SurveyType


@strawberry.type
class SurveyUpdated:
    survey: SurveyType


@strawberry.type
class SurveyQuestionsSet:
    survey: SurveyType


@strawberry.type
class SurveyPublished:
    survey: SurveyType


@strawberry.type
class SurveyClosed:
    survey: SurveyType


@strawberry.type
class SurveyArchived:
    survey: SurveyType


@strawberry.type(description="Thank you: the answers are stored.")
class SurveyAnswered:
    survey: SurveyType


DraftSurveyResult = Annotated[SurveyDrafted | InvalidInput | NotFoundError, strawberry.union("DraftSurveyResult")]
UpdateSurveyResult = Annotated[SurveyUpdated | InvalidInput | NotFoundError, strawberry.union("UpdateSurveyResult")]
SetSurveyQuestionsResult = Annotated[
    SurveyQuestionsSet | InvalidInput | NotFoundError, strawberry.union("SetSurveyQuestionsResult")
]
PublishSurveyResult = Annotated[SurveyPublished | InvalidInput | NotFoundError, strawberry.union("PublishSurveyResult")]
CloseSurveyResult = Annotated[SurveyClosed | InvalidInput | NotFoundError, strawberry.union("CloseSurveyResult")]
ArchiveSurveyResult = Annotated[SurveyArchived | InvalidInput | NotFoundError, strawberry.union("ArchiveSurveyResult")]
AnswerSurveyResult = Annotated[SurveyAnswered | InvalidInput | NotFoundError, strawberry.union("AnswerSurveyResult")]


def _answer(value: SurveyAnswerInput) -> AnswerInput:
    return AnswerInput(
        question_id=decode_id(value.question_id, "SurveyQuestion", field="answers"),
        option_indexes=tuple(value.option_indexes) if value.option_indexes is not None else None,
        other_text=value.other_text,
        text=value.text,
        value=value.value,
    )


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(description="Draft a survey (staff of the town).", permission_classes=[Authenticated])
    async def draft_survey(self, info: Info, input: DraftSurveyInput) -> DraftSurveyResult:
        async def action(session: AsyncSession) -> SurveyDrafted:
            area = input.strategy_area_id
            survey = await service.draft_survey(
                session,
                info.context.viewer,
                town_id=decode_id(input.town_id, "Town", field="townId"),
                title=input.title,
                description=input.description,
                strategy_area_id=decode_id(area, "StrategyArea", field="strategyAreaId") if area else None,
                opens_at=input.opens_at,
                closes_at=input.closes_at,
                audience=input.audience,
                is_anonymous=input.is_anonymous,
                results_public=input.results_public,
            )
            return SurveyDrafted(survey=SurveyType.from_row(survey))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Change a draft (staff of the town).", permission_classes=[Authenticated])
    async def update_survey(self, info: Info, input: UpdateSurveyInput) -> UpdateSurveyResult:
        async def action(session: AsyncSession) -> SurveyUpdated:
            area = input.strategy_area_id
            survey = await service.update_survey(
                session,
                info.context.viewer,
                survey_id=decode_id(input.survey_id, "Survey", field="surveyId"),
                fields=SurveyFields(
                    title=input.title,
                    description=input.description,
                    strategy_area_id=decode_id(area, "StrategyArea", field="strategyAreaId") if area else None,
                    clear_strategy_area=input.remove_strategy_area,
                    opens_at=input.opens_at,
                    clear_opens_at=input.remove_opens_at,
                    closes_at=input.closes_at,
                    audience=input.audience,
                    is_anonymous=input.is_anonymous,
                    results_public=input.results_public,
                ),
            )
            return SurveyUpdated(survey=SurveyType.from_row(survey))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Replace all questions (staff of the town); refused once the first response exists.",
        permission_classes=[Authenticated],
    )
    async def set_survey_questions(self, info: Info, input: SetSurveyQuestionsInput) -> SetSurveyQuestionsResult:
        async def action(session: AsyncSession) -> SurveyQuestionsSet:
            survey = await service.set_questions(
                session,
                info.context.viewer,
                survey_id=decode_id(input.survey_id, "Survey", field="surveyId"),
                questions=[question_spec(question, index) for index, question in enumerate(input.questions)],
            )
            return SurveyQuestionsSet(survey=SurveyType.from_row(survey))

        return await run_mutation(info, action)

    @strawberry.mutation(description="Publish a draft (staff of the town).", permission_classes=[Authenticated])
    async def publish_survey(self, info: Info, survey_id: strawberry.ID) -> PublishSurveyResult:
        async def action(session: AsyncSession) -> SurveyPublished:
            key = decode_id(survey_id, "Survey", field="surveyId")
            return SurveyPublished(
                survey=_type(await service.publish_survey(session, info.context.viewer, survey_id=key))
            )

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Close a running survey now (staff of the town).", permission_classes=[Authenticated]
    )
    async def close_survey(self, info: Info, survey_id: strawberry.ID) -> CloseSurveyResult:
        async def action(session: AsyncSession) -> SurveyClosed:
            key = decode_id(survey_id, "Survey", field="surveyId")
            return SurveyClosed(survey=_type(await service.close_survey(session, info.context.viewer, survey_id=key)))

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Archive a draft or a closed survey (staff of the town).", permission_classes=[Authenticated]
    )
    async def archive_survey(self, info: Info, survey_id: strawberry.ID) -> ArchiveSurveyResult:
        async def action(session: AsyncSession) -> SurveyArchived:
            key = decode_id(survey_id, "Survey", field="surveyId")
            return SurveyArchived(
                survey=_type(await service.archive_survey(session, info.context.viewer, survey_id=key))
            )

        return await run_mutation(info, action)

    @strawberry.mutation(
        description="Answer an open survey (once per person).",
        permission_classes=[Authenticated],
        extensions=[RateLimited("survey.answer")],
    )
    async def answer_survey(self, info: Info, input: AnswerSurveyInput) -> AnswerSurveyResult:
        async def action(session: AsyncSession) -> SurveyAnswered:
            survey = await responses.answer_survey(
                session,
                info.context.viewer,
                survey_id=decode_id(input.survey_id, "Survey", field="surveyId"),
                answers=[_answer(answer) for answer in input.answers],
            )
            return SurveyAnswered(survey=SurveyType.from_row(survey))

        return await run_mutation(info, action)


def _type(row: Survey) -> SurveyType:
    return SurveyType.from_row(row)
