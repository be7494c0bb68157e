from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import child_fields
from schema.permissions import Public
from schema.towns.types import StrategyAreaType, TownType
from service.towns import service


@strawberry.type
class TownQueries:
    @strawberry.field(description="All towns of the region, by name.", permission_classes=[Public])
    async def towns(self, info: Info) -> list[TownType]:
        async with info.context.uow.session() as session:
            rows = await service.list_towns(session, info.context.viewer)
        return [TownType.from_row(row) for row in rows]

    @strawberry.field(description="One town by its slug, e.g. `soest`.", permission_classes=[Public])
    async def town(self, info: Info, slug: str) -> TownType | None:
        if "strategyAreas" in child_fields(info):
            # A town's page: the town and its fields of action in one statement, the areas' loader primed.
            async with info.context.uow.session() as session:
                found = await service.get_town_with_areas(session, info.context.viewer, slug=slug)
            if found is None:
                return None
            town, areas = found
            info.context.loaders.strategy_areas_by_town_id.prime(town.id, areas)
            return TownType.from_row(town)
        async with info.context.uow.session() as session:
            row = await service.get_town(session, info.context.viewer, slug=slug)
        return TownType.from_row(row) if row else None

    @strawberry.field(description="Region-wide themes shared by every town.", permission_classes=[Public])
    async def region_themes(self, info: Info) -> list[StrategyAreaType]:
        async with info.context.uow.session() as session:
            rows = await service.list_region_themes(session, info.context.viewer)
        return [StrategyAreaType.from_row(row) for row in rows]
