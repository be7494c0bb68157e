from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.embedded import EmbeddedList, embedded_tuples
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
# A town's page names the town and lists its fields of action, in the town's order: the areas are read with the
# town as one of its embedded lists (`town_by_slug_with`).
AREAS: EmbeddedList[AreaHeader] = embedded_tuples(
    (getattr(StrategyArea, name) for name in AreaHeader._fields),
    AreaHeader,
    lambda town_id: select(*(getattr(StrategyArea, name) for name in AreaHeader._fields), StrategyArea.position).where(
        StrategyArea.town_id == town_id
    ),
    order=(StrategyArea.position, StrategyArea.name),
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


@lru_cache(maxsize=128)
def _town_with(lists: tuple[EmbeddedList[Any], ...]) -> Select[Any]:
    """The town by its slug with `lists` as columns beside its header: built once per set of lists."""
    header = (getattr(Town, name) for name in TownHeader._fields)
    return select(*header, *(each.column(Town.id) for each in lists)).where(Town.slug == bindparam("slug"))


async def town_by_slug_with(
    session: AsyncSession, slug: str, lists: Sequence[EmbeddedList[Any]]
) -> tuple[TownHeader, list[list[Any]]] | None:
    """The town and, in one statement with it, the rows of each of `lists` (its areas, `AREAS`, and the short
    lists of other domains that a page shows with the town), in the order of `lists`."""
    row = (await (await session.connection()).execute(_town_with(tuple(lists)), {"slug": slug})).first()
    if row is None:
        return None
    width = len(TownHeader._fields)
    return TownHeader._make(row[:width]), [each.rows(value) for each, value in zip(lists, row[width:], strict=True)]


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
