from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import Any, Self

import strawberry
from strawberry import relay
from strawberry.relay import to_base64

from schema.context import Info
from schema.ids import uuids
from schema.surveys.questions import QuestionType, question_gid
from schema.towns.types import StrategyAreaType, TownType
from service.kit.errors import PermissionDenied
from service.surveys import export
from service.surveys.kinds import settings_of
from service.surveys.models import Answer, Audience, Question, QuestionKind, Results, Survey, SurveyStatus
from service.surveys.policies import can_manage, results_visible
from service.surveys.responses import is_open
from service.surveys.results import public_view

strawberry.enum(SurveyStatus, name="SurveyStatus", description="draft → published → closed → archived.")
strawberry.enum(Audience, name="SurveyAudience", description="Who may answer.")


@strawberry.type(name="SurveyOwnAnswer", description="One of the logged-in person's own answers.")
class OwnAnswerType:
    question_id: strawberry.ID
    option_indexes: list[int] | None
    other_text: str | None
    text: str | None
    value: float | None

    @classmethod
    def from_row(cls, row: Answer) -> Self:
        return cls(
            question_id=question_gid(row.question_id),
            option_indexes=list(row.option_indexes) if row.option_indexes is not None else None,
            other_text=row.other_text,
            text=row.text,
            value=row.number,
        )


@strawberry.type(name="SurveyParticipation")
class ParticipationType:
    took_part: bool
    answers: list[OwnAnswerType] | None = strawberry.field(
        description="The person's own answers; null for anonymous surveys, which keep no link to the person."
    )


@strawberry.type(name="SurveyOptionResult")
class OptionResultType:
    index: int
    label: str
    count: int
    share: float = strawberry.field(description="Of the people who answered the question, 0 to 1.")


@strawberry.type(name="SurveyValueCount")
class ValueCountType:
    value: float
    count: int


@strawberry.type(name="SurveyRankScore", description="Borda score: first place earns n points, last place 1.")
class RankScoreType:
    index: int
    label: str
    score: int
    average_place: float | None


@strawberry.type(name="SurveyDayCount")
class DayCountType:
    day: date
    count: int


@strawberry.type(name="SurveyQuestionResult")
class QuestionResultType:
    question_id: strawberry.ID
    kind: QuestionKind
    answered: int
    options: list[OptionResultType]
    other_count: int | None
    distribution: list[ValueCountType]
    mean: float | None
    median: float | None
    rank_scores: list[RankScoreType]
    texts: list[str] | None = strawberry.field(
        description="Free-text answers, ordered by text; only for the town's staff (null for everyone else)."
    )
    other_texts: list[str] | None = strawberry.field(description='The "other" answers; staff only, like `texts`.')

    @classmethod
    def from_data(cls, data: dict[str, Any], question: Question | None) -> Self:
        labels: list[str] = getattr(settings_of(question), "options", []) if question else []

        def label(index: int) -> str:
            return labels[index] if index < len(labels) else ""

        return cls(
            question_id=question_gid(data["question_id"]),
            kind=QuestionKind(data["kind"]),
            answered=data["answered"],
            options=[
                OptionResultType(
                    index=item["index"], label=label(item["index"]), count=item["count"], share=item["share"]
                )
                for item in data.get("options", [])
            ],
            other_count=data.get("other_count"),
            distribution=[
                ValueCountType(value=item["value"], count=item["count"]) for item in data.get("distribution", [])
            ],
            mean=data.get("mean"),
            median=data.get("median"),
            rank_scores=[
                RankScoreType(
                    index=item["index"],
                    label=label(item["index"]),
                    score=item["score"],
                    average_place=item["average_place"],
                )
                for item in data.get("rank_scores", [])
            ],
            texts=data.get("texts"),
            other_texts=data.get("other_texts"),
        )


@strawberry.type(name="SurveyResults", description="Computed by a worker after answers arrive (may lag briefly).")
class ResultsType:
    response_count: int
    computed_at: datetime
    responses_by_day: list[DayCountType]
    questions: list[QuestionResultType]

    @classmethod
    def from_row(cls, row: Results, questions: list[Question], *, full: bool) -> Self:
        data = row.data if full else public_view(row.data)
        by_id = {str(question.id): question for question in questions}
        return cls(
            response_count=row.response_count,
            computed_at=row.computed_at,
            responses_by_day=[
                DayCountType(day=date.fromisoformat(item["day"]), count=item["count"]) for item in data["by_day"]
            ],
            questions=[
                QuestionResultType.from_data(item, by_id.get(item["question_id"])) for item in data["questions"]
            ],
        )


@strawberry.type(name="Survey", description="A town's survey.")
class SurveyType(relay.Node):
    id: relay.NodeID[str]
    title: str
    description: str
    status: SurveyStatus
    audience: Audience
    is_anonymous: bool = strawberry.field(description="Answers can not be linked to the people who gave them.")
    results_public: bool = strawberry.field(description="Results are shown to everyone once the survey is closed.")
    opens_at: datetime | None
    closes_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    row: strawberry.Private[Survey]

    @classmethod
    def from_row(cls, row: Survey) -> Self:
        return cls(
            id=str(row.id),
            title=row.title,
            description=row.description,
            status=SurveyStatus(row.status),
            audience=Audience(row.audience),
            is_anonymous=row.is_anonymous,
            results_public=row.results_public,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            published_at=row.published_at,
            closed_at=row.closed_at,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(description="Published, opened and not yet closed: answers are taken now.")
    def is_open(self) -> bool:
        return is_open(self.row, datetime.now(self.closes_at.tzinfo))

    @strawberry.field
    async def town(self, info: Info) -> TownType:
        row = await info.context.loaders.town_by_id.load(self.row.town_id)
        assert row is not None  # noqa: S101 - a foreign key
        return TownType.from_row(row)

    @strawberry.field
    async def strategy_area(self, info: Info) -> StrategyAreaType | None:
        if self.row.strategy_area_id is None:
            return None
        row = await info.context.loaders.strategy_area_by_id.load(self.row.strategy_area_id)
        return StrategyAreaType.from_row(row) if row else None

    @strawberry.field(description="The questions in order.")
    async def questions(self, info: Info) -> list[QuestionType]:
        rows = await info.context.loaders.questions_by_survey_id.load(self.row.id)
        return [QuestionType.from_row(row) for row in rows]

    @strawberry.field(description="How many people took part so far (live while the survey is open).")
    async def response_count(self, info: Info) -> int:
        return await info.context.loaders.response_count_by_survey_id.load(self.row.id)

    @strawberry.field(description="The logged-in person's part; null when not logged in.")
    async def my_participation(self, info: Info) -> ParticipationType | None:
        loaders = info.context.loaders
        if loaders.viewer_took_part_survey_id is None or loaders.own_answers_by_survey_id is None:
            return None
        if not await loaders.viewer_took_part_survey_id.load(self.row.id):
            return ParticipationType(took_part=False, answers=None)
        if self.row.is_anonymous:
            return ParticipationType(took_part=True, answers=None)
        rows = await loaders.own_answers_by_survey_id.load(self.row.id)
        return ParticipationType(took_part=True, answers=[OwnAnswerType.from_row(row) for row in rows])

    @strawberry.field(
        description="Full results for the town's staff; for everyone else after close if the survey allows it, "
        "without free texts. Null when not allowed or not computed yet."
    )
    async def results(self, info: Info) -> ResultsType | None:
        viewer = info.context.viewer
        if not results_visible(viewer, self.row):
            return None
        row = await info.context.loaders.results_by_survey_id.load(self.row.id)
        if row is None:
            return None
        questions = await info.context.loaders.questions_by_survey_id.load(self.row.id)
        return ResultsType.from_row(row, questions, full=can_manage(viewer, self.row.town_id))

    @strawberry.field(
        description="All responses as CSV for German spreadsheets (UTF-8 with BOM, semicolon-separated, decimal "
        "commas; respondents named by their global User id), for the town's staff; anonymous surveys without any "
        "person columns. Others get null here and a FORBIDDEN error at this field; the rest of the survey is kept."
    )
    async def responses_csv(self, info: Info) -> str | None:
        info.context.viewer.require_person()
        if not can_manage(info.context.viewer, self.row.town_id):
            raise PermissionDenied("Den Export bekommt nur die Verwaltung der Stadt.")
        async with info.context.uow.session() as session:
            return await export.responses_csv(
                session, info.context.viewer, survey_id=self.row.id, person_ref=partial(to_base64, "User")
            )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        rows = await info.context.loaders.survey_by_id.load_many(uuids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="SurveyEdge")
class SurveyEdge(relay.Edge[SurveyType]):
    pass


@strawberry.type(name="SurveyConnection")
class SurveyConnection(relay.Connection[SurveyType]):
    edges: list[SurveyEdge]  # type: ignore[assignment]
