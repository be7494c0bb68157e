"""Towns and their strategies are public: every caller may read them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.towns import repository
from service.towns.models import StrategyArea, Town


async def list_towns(session: AsyncSession, viewer: Viewer) -> Sequence[Town]:
    return await repository.list_towns(session)


async def get_town(session: AsyncSession, viewer: Viewer, *, slug: str) -> Town | None:
    return (await repository.towns_by_slugs(session, [slug])).get(slug)


async def list_region_themes(session: AsyncSession, viewer: Viewer) -> Sequence[StrategyArea]:
    return await repository.region_themes(session)
