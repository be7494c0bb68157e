from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.errors import decode_id
from schema.ideas.order import ORDER_BY_DESCRIPTION
from schema.ideas.types import IdeaConnection, IdeaFilterInput
from schema.pagination import node_fields
from schema.permissions import Public
from schema.towns.types import TownType
from service.ideas.feed import IdeaFilter, IdeaOrder, list_ideas
from service.kit.errors import InvalidArgument, UserError
from service.kit.geo import GeoPoint, Near

DEFAULT_PAGE_SIZE = 20


def _filter(value: IdeaFilterInput | None) -> IdeaFilter:
    if value is None:
        return IdeaFilter()
    try:
        area = (
            decode_id(value.strategy_area_id, "StrategyArea", field="strategyAreaId")
            if value.strategy_area_id
            else None
        )
    except UserError as error:
        raise InvalidArgument(error.message) from None
    near = None
    if value.near is not None:
        near = Near(GeoPoint(value.near.latitude, value.near.longitude), value.near.radius_km)
    return IdeaFilter(strategy_area_id=area, official_status=value.status, text=value.text, near=near)


async def idea_feed(
    info: Info,
    *,
    town: TownType | None,
    first: int,
    after: str | None,
    filter: IdeaFilterInput | None,
    order_by: IdeaOrder | None,
) -> IdeaConnection:
    fields = node_fields(info)
    async with info.context.uow.session() as session:
        page = await list_ideas(
            session,
            town_id=town.row_id if town is not None else None,
            idea_filter=_filter(filter),
            order=order_by,
            first=first,
            after=after,
            with_authors="author" in fields,
            with_strategy_areas="strategyArea" in fields,
        )
    return await IdeaConnection.from_page(info, page, fields, after=after, town=town)


@strawberry.type
class IdeaQueries:
    @strawberry.field(description="Published ideas of the whole region, across towns.", permission_classes=[Public])
    async def ideas(
        self,
        info: Info,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: IdeaFilterInput | None = None,
        order_by: Annotated[IdeaOrder | None, strawberry.argument(description=ORDER_BY_DESCRIPTION)] = None,
    ) -> IdeaConnection:
        return await idea_feed(info, town=None, first=first, after=after, filter=filter, order_by=order_by)
