from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.lookup import by_key, grouped, key_in_keys, keys
from service.towns.models import StrategyArea, Town


async def list_towns(session: AsyncSession) -> Sequence[Town]:
    return (await session.scalars(select(Town).order_by(Town.name))).all()


class TownHeader(NamedTuple):
    """What names a town and links to it (the attribute names are `Town`'s)."""

    id: uuid.UUID
    slug: str
    name: str
    is_pioneer: bool


class AreaHeader(NamedTuple):
    """What names a strategy area and says what it is about (the attribute names are `StrategyArea`'s)."""

    id: uuid.UUID
    slug: str
    name: str
    description: str
    town_id: uuid.UUID | None


# Read as a plain row: `town(slug)` starts most feed requests.
_TOWN_HEADER_BY_SLUG = select(*(getattr(Town, name) for name in TownHeader._fields)).where(
    Town.slug == bindparam("slug")
)
# A town's page names the town and lists its fields of action: both in one statement, an area to a row (none: one
# row of the town alone), in the town's order.
_TOWN_WITH_AREAS_BY_SLUG = (
    select(
        *(getattr(Town, name) for name in TownHeader._fields),
        *(getattr(StrategyArea, name).label(f"area_{name}") for name in AreaHeader._fields),
    )
    .select_from(Town)
    .outerjoin(StrategyArea, StrategyArea.town_id == Town.id)
    .where(Town.slug == bindparam("slug"))
    .order_by(StrategyArea.position, StrategyArea.name)
)
_TOWNS_BY_IDS = select(Town).where(key_in_keys(Town.id))
_STRATEGY_AREAS_BY_IDS = select(StrategyArea).where(key_in_keys(StrategyArea.id))
# Read as plain rows: every town page lists its town's fields of action.
_AREA_HEADERS_BY_TOWN_IDS = (
    select(*(getattr(StrategyArea, name) for name in AreaHeader._fields))
    .where(key_in_keys(StrategyArea.town_id))
    .order_by(StrategyArea.town_id, StrategyArea.position, StrategyArea.name)
)
_id = attrgetter("id")


async def town_by_slug(session: AsyncSession, slug: str) -> TownHeader | None:
    row = (await (await session.connection()).execute(_TOWN_HEADER_BY_SLUG, {"slug": slug})).first()
    return TownHeader._make(row) if row else None


async def town_with_areas_by_slug(session: AsyncSession, slug: str) -> tuple[TownHeader, list[AreaHeader]] | None:
    rows = (await (await session.connection()).execute(_TOWN_WITH_AREAS_BY_SLUG, {"slug": slug})).all()
    if not rows:
        return None
    width = len(TownHeader._fields)
    areas = [AreaHeader._make(row[width:]) for row in rows if row[width] is not None]
    return TownHeader._make(rows[0][:width]), areas


async def towns_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Town]:
    return by_key(await session.scalars(_TOWNS_BY_IDS, keys(ids)), _id)


async def strategy_areas_by_town_ids(
    session: AsyncSession, town_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AreaHeader]]:
    rows = await (await session.connection()).execute(_AREA_HEADERS_BY_TOWN_IDS, keys(town_ids))
    return grouped(town_ids, map(AreaHeader._make, rows), attrgetter("town_id"))


async def strategy_areas_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StrategyArea]:
    return by_key(await session.scalars(_STRATEGY_AREAS_BY_IDS, keys(ids)), _id)


async def region_themes(session: AsyncSession) -> Sequence[StrategyArea]:
    return (
        await session.scalars(
            select(StrategyArea).where(StrategyArea.town_id.is_(None)).order_by(StrategyArea.position)
        )
    ).all()
