from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import child_selections
from schema.permissions import Public
from schema.towns.page_lists import keep_first_pages, lists_below
from schema.towns.types import StrategyAreaType, TownType
from service.towns import service
from service.towns.repository import AREAS


@strawberry.type
class TownQueries:
    @strawberry.field(description="All towns of the region, by name.", permission_classes=[Public])
    async def towns(self, info: Info) -> list[TownType]:
        async with info.context.uow.session() as session:
            rows = await service.list_towns(session, info.context.viewer)
        return [TownType.from_row(row) for row in rows]

    @strawberry.field(description="One town by its slug, e.g. `soest`.", permission_classes=[Public])
    async def town(self, info: Info, slug: str) -> TownType | None:
        children = child_selections(info)
        with_areas = any(selected.name == "strategyAreas" for selected in children)
        lists = lists_below(children)
        if with_areas or lists:
            # A town's page: the town, its fields of action and the first pages of its lists in one statement; the
            # areas' loader primed, the lists' pages kept for their fields.
            embedded = [each.embedded for each in lists]
            async with info.context.uow.session() as session:
                found = await service.get_town_with(
                    session, info.context.viewer, slug=slug, lists=[AREAS, *embedded] if with_areas else embedded
                )
            if found is None:
                return None
            town, rows = found
            if with_areas:
                areas, *rows = rows
                info.context.loaders.strategy_areas_by_town_id.prime(town.id, areas)
            keep_first_pages(info, town.id, lists, rows)
            return TownType.from_row(town)
        async with info.context.uow.session() as session:
            row = await service.get_town(session, info.context.viewer, slug=slug)
        return TownType.from_row(row) if row else None

    @strawberry.field(description="Region-wide themes shared by every town.", permission_classes=[Public])
    async def region_themes(self, info: Info) -> list[StrategyAreaType]:
        async with info.context.uow.session() as session:
            rows = await service.list_region_themes(session, info.context.viewer)
        return [StrategyAreaType.from_row(row) for row in rows]
