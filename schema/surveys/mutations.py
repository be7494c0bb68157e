from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry

from schema.ids import StrategyAreaId, SurveyId, TownId
from schema.mutation import Call, Node, mutation, service_mutation
from schema.surveys.questions import SurveyQuestionInput, question_spec
from schema.surveys.types import SurveyType
from service.surveys import responses, service
from service.surveys.answers import AnswerInput
from service.surveys.models import Audience, Survey
from service.surveys.service import SurveyFields


@strawberry.input
class DraftSurveyInput:
    town_id: TownId
    title: str = strawberry.field(description="5 to 140 characters.")
    closes_at: datetime = strawberry.field(description="With a time zone; answers are taken until then.")
    description: str = strawberry.field(default="", description="At most 5 000 characters.")
    strategy_area_id: StrategyAreaId | None = None
    opens_at: datetime | None = strawberry.field(default=None, description="Null: open as soon as published.")
    audience: Audience = Audience.EVERYONE
    is_anonymous: bool = False
    results_public: bool = False


@strawberry.input(
    description="Only the fields given change; drafts only. `strategyAreaId` or `opensAt` null removes it."
)
class UpdateSurveyInput:
    survey_id: SurveyId
    title: str | None = None
    description: str | None = None
    strategy_area_id: StrategyAreaId | None = strawberry.UNSET
    opens_at: datetime | None = strawberry.UNSET
    closes_at: datetime | None = None
    audience: Audience | None = None
    is_anonymous: bool | None = None
    results_public: bool | None = None


@strawberry.input
class SetSurveyQuestionsInput:
    survey_id: SurveyId
    questions: list[SurveyQuestionInput]


@strawberry.input(
    description="Choice questions: `optionIndexes` (and `otherText` if allowed); ranking: `optionIndexes`, every "
    "option once, most preferred first; free text: `text`; scale, number and rating: `value`."
)
class SurveyAnswerInput:
    question_id: Annotated[uuid.UUID, Node("SurveyQuestion", field="answers")]
    option_indexes: list[int] | None = None
    other_text: str | None = None
    text: str | None = None
    value: float | None = None


@strawberry.input
class AnswerSurveyInput:
    survey_id: SurveyId
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


def _answer(value: SurveyAnswerInput) -> AnswerInput:
    indexes = value.option_indexes
    return AnswerInput(**(vars(value) | {"option_indexes": tuple(indexes) if indexes is not None else None}))


@strawberry.type
class SurveyMutations:
    draft_survey = service_mutation(
        service.draft_survey, SurveyDrafted, "Draft a survey (staff of the town).", input=DraftSurveyInput
    )

    @mutation("Change a draft (staff of the town).")
    async def update_survey(call: Call, input: UpdateSurveyInput) -> SurveyUpdated:
        survey = await service.update_survey(
            call.session, call.viewer, survey_id=input.survey_id, fields=_fields(input)
        )
        return SurveyUpdated(survey=_type(survey))

    @mutation("Replace all questions (staff of the town); refused once the first response exists.")
    async def set_survey_questions(call: Call, input: SetSurveyQuestionsInput) -> SurveyQuestionsSet:
        questions = [question_spec(question, index) for index, question in enumerate(input.questions)]
        survey = await service.set_questions(call.session, call.viewer, survey_id=input.survey_id, questions=questions)
        return SurveyQuestionsSet(survey=_type(survey))

    publish_survey = service_mutation(
        service.publish_survey, SurveyPublished, "Publish a draft (staff of the town).", survey_id=SurveyId
    )
    close_survey = service_mutation(
        service.close_survey, SurveyClosed, "Close a running survey now (staff of the town).", survey_id=SurveyId
    )
    archive_survey = service_mutation(
        service.archive_survey,
        SurveyArchived,
        "Archive a draft or a closed survey (staff of the town).",
        survey_id=SurveyId,
    )

    @mutation("Answer an open survey (once per person).", rate_limit="survey.answer")
    async def answer_survey(call: Call, input: AnswerSurveyInput) -> SurveyAnswered:
        answers = [_answer(answer) for answer in input.answers]
        survey = await responses.answer_survey(call.session, call.viewer, survey_id=input.survey_id, answers=answers)
        return SurveyAnswered(survey=_type(survey))


def _fields(value: UpdateSurveyInput) -> SurveyFields:
    """Left out (UNSET) leaves a field as it is; `null` removes the strategy area or the opening time."""
    area, opens_at = value.strategy_area_id, value.opens_at
    rest = {
        name: item for name, item in vars(value).items() if name not in {"survey_id", "strategy_area_id", "opens_at"}
    }
    return SurveyFields(
        **rest,
        strategy_area_id=None if area is strawberry.UNSET else area,
        clear_strategy_area=area is None,
        opens_at=None if opens_at is strawberry.UNSET else opens_at,
        clear_opens_at=opens_at is None,
    )


def _type(row: Survey) -> SurveyType:
    return SurveyType.from_row(row)
