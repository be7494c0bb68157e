from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

import strawberry

from schema.context import Info
from schema.ideas.types import IdeaConnection, IdeaEdge, IdeaType
from schema.pagination import connection
from schema.towns.types import StrategyAreaType, TownType
from service.tallies import report
from service.tallies.models import Metric, Period

strawberry.enum(Period, name="TallyPeriod", description="Calendar periods (Europe/Berlin; weeks from Monday).")
strawberry.enum(Metric, name="ParticipationMetric")


@strawberry.type(description="One number of a participation report.")
class ParticipationFigure:
    period_start: date
    metric: Metric
    value: float = strawberry.field(description="What is counted: items, or hours for volunteer hours.")
    people: int = strawberry.field(description="Distinct people who took part in this cell (town, area, period).")
    figure: strawberry.Private[report.Figure]

    @classmethod
    def from_figure(cls, figure: report.Figure) -> Self:
        return cls(
            period_start=figure.period_start,
            metric=figure.metric,
            value=float(figure.value),
            people=figure.people,
            figure=figure,
        )

    @strawberry.field(description="The strategy area; null for the figure over all areas.")
    async def strategy_area(self, info: Info) -> StrategyAreaType | None:
        if self.figure.strategy_area_id is None:
            return None
        area = await info.context.loaders.strategy_area_by_id.load(self.figure.strategy_area_id)
        return StrategyAreaType.from_row(area) if area else None

    @strawberry.field(
        description=(
            "The ideas this figure counts (for supports and comments: the ideas that received them) that the "
            "reader may see, as through `node`: unpublished ones only for their town's moderators, staff and "
            "admins and for region admins; null for figures that do not count ideas."
        )
    )
    async def ideas(self, info: Info, first: int = 20, after: str | None = None) -> IdeaConnection | None:
        if self.figure.metric not in report.IDEA_METRICS:
            return None
        async with info.context.uow.session() as session:
            page = await report.ideas_behind(session, info.context.viewer, self.figure, first=first, after=after)
        return connection(
            IdeaConnection,
            IdeaEdge,
            page.items,
            cursor=report.encode_idea_cursor,
            node=IdeaType.from_row,
            has_next_page=page.has_next_page,
            after=after,
        )


@strawberry.type(description="Participation figures of a town, or of the region, per strategy area and period.")
class ParticipationReport:
    period: Period
    from_date: date = strawberry.field(name="from")
    to_date: date = strawberry.field(name="to")
    computed_at: datetime | None = strawberry.field(description="When the tallies were last recomputed.")
    figures: list[ParticipationFigure]
    town_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_report(cls, found: report.Report) -> Self:
        return cls(
            period=found.period,
            from_date=found.from_date,
            to_date=found.to_date,
            computed_at=found.computed_at,
            figures=[ParticipationFigure.from_figure(figure) for figure in found.figures],
            town_id=found.town_id,
        )

    @strawberry.field(description="The town; null for the region roll-up.")
    async def town(self, info: Info) -> TownType | None:
        if self.town_id is None:
            return None
        town = await info.context.loaders.town_by_id.load(self.town_id)
        return TownType.from_row(town) if town else None
