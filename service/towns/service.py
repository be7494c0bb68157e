"""Towns and their strategies are public: every caller may read them."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.kit.embedded import EmbeddedList
from service.kit.errors import NotFound, UserError
from service.kit.geo import GeoPoint
from service.towns import repository
from service.towns.errors import TownErrorCode
from service.towns.models import StrategyArea, Town
from service.towns.repository import TownHeader


async def list_towns(session: AsyncSession, viewer: Viewer) -> Sequence[Town]:
    return await repository.list_towns(session)


async def get_town(session: AsyncSession, viewer: Viewer, *, slug: str) -> TownHeader | None:
    return await repository.town_by_slug(session, slug)


async def get_town_with(
    session: AsyncSession, viewer: Viewer, *, slug: str, lists: Sequence[EmbeddedList[Any]]
) -> tuple[TownHeader, list[list[Any]]] | None:
    """The town and the rows of `lists` (its fields of action, `repository.AREAS`, and what else a page shows
    with it), read together. Towns are public: so are their fields of action; the other lists decide for
    themselves who sees what."""
    return await repository.town_by_slug_with(session, slug, lists)


async def list_region_themes(session: AsyncSession, viewer: Viewer) -> Sequence[StrategyArea]:
    return await repository.region_themes(session)


async def existing_town(session: AsyncSession, town_id: uuid.UUID) -> Town:
    """The town a contribution is made in, or a NotFound naming `townId`."""
    town = await session.get(Town, town_id)
    if town is None:
        raise NotFound(TownErrorCode.UNKNOWN_TOWN, "Diese Stadt gibt es hier nicht.", field="townId")
    return town


async def town_strategy_area(
    session: AsyncSession, town: Town, area_id: uuid.UUID, *, region_themes: bool = False
) -> StrategyArea:
    """A field of action of `town` (or, with `region_themes`, a region-wide theme), else a NotFound."""
    area = await session.get(StrategyArea, area_id)
    allowed = {town.id, None} if region_themes else {town.id}
    if area is None or area.town_id not in allowed:
        raise NotFound(
            TownErrorCode.UNKNOWN_STRATEGY_AREA,
            f"Dieses Handlungsfeld gibt es in {town.name} nicht.",
            field="strategyAreaId",
        )
    return area


def check_location(town: Town, location: GeoPoint | None) -> None:
    """A geo point, if given, must lie within the town's bounding box (points outside are typos)."""
    if location is None:
        return
    inside = (
        math.isfinite(location.latitude)
        and math.isfinite(location.longitude)
        and town.min_latitude <= location.latitude <= town.max_latitude
        and town.min_longitude <= location.longitude <= town.max_longitude
    )
    if not inside:
        raise UserError(TownErrorCode.LOCATION_OUTSIDE_TOWN, f"Der Ort liegt nicht in {town.name}.", field="location")
