"""The idea feed: keyset pagination over published ideas, filtered and ordered by enums only."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.viewer import Viewer
from service.errors import InvalidArgument
from service.ideas.models import Idea, Lifecycle, OfficialStatus
from service.ideas.policies import idea_visible_to
from service.pagination import check_page_size
from service.towns.models import StrategyArea
from service.towns.service import GeoPoint
from service.users.models import User

MAX_RADIUS_KM = 50.0
MAX_SEARCH_LENGTH = 200
KM_PER_DEGREE_LATITUDE = 110.57
KM_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111.32


class IdeaOrder(StrEnum):
    NEWEST = "newest"
    MOST_SUPPORTED = "most_supported"
    RECENTLY_ANSWERED = "recently_answered"


@dataclass(frozen=True)
class Near:
    point: GeoPoint
    radius_km: float


@dataclass(frozen=True)
class IdeaFilter:
    strategy_area_id: uuid.UUID | None = None
    official_status: OfficialStatus | None = None
    text: str | None = None
    near: Near | None = None


@dataclass(frozen=True)
class Page:
    items: Sequence[Idea]
    has_next_page: bool
    order: IdeaOrder
    # Read in the same statement as the page when asked for (`with_authors`, `with_strategy_areas`), by id.
    authors: Mapping[uuid.UUID, User] = field(default_factory=dict)
    strategy_areas: Mapping[uuid.UUID, StrategyArea] = field(default_factory=dict)

    def cursor(self, idea: Idea) -> str:
        return encode_cursor(self.order, idea)


def _sort_key(order: IdeaOrder) -> ColumnElement[object]:
    if order is IdeaOrder.MOST_SUPPORTED:
        return Idea.support_count  # type: ignore[return-value]
    if order is IdeaOrder.RECENTLY_ANSWERED:
        return Idea.answered_at  # type: ignore[return-value]
    return Idea.published_at  # type: ignore[return-value]


def encode_cursor(order: IdeaOrder, idea: Idea) -> str:
    value: object = {
        IdeaOrder.MOST_SUPPORTED: idea.support_count,
        IdeaOrder.RECENTLY_ANSWERED: idea.answered_at.isoformat() if idea.answered_at else None,
        IdeaOrder.NEWEST: idea.published_at.isoformat() if idea.published_at else None,
    }[order]
    raw = json.dumps([order.value, value, str(idea.id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(order: IdeaOrder, cursor: str) -> tuple[object, uuid.UUID]:
    invalid = InvalidArgument("Ungültiger Cursor für diese Sortierung.")
    try:
        kind, value, idea_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key: object = int(value) if order is IdeaOrder.MOST_SUPPORTED else datetime.fromisoformat(value)
        decoded = key, uuid.UUID(idea_id)
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise invalid from None
    if kind != order.value:
        raise invalid
    return decoded


def _apply_filter(statement: Select[Any], idea_filter: IdeaFilter) -> Select[Any]:
    if idea_filter.strategy_area_id is not None:
        statement = statement.where(Idea.strategy_area_id == idea_filter.strategy_area_id)
    if idea_filter.official_status is not None:
        statement = statement.where(Idea.official_status == idea_filter.official_status.value)
    if idea_filter.text:
        text = idea_filter.text.strip()[:MAX_SEARCH_LENGTH]
        statement = statement.where(Idea.search_vector.op("@@")(func.websearch_to_tsquery("german", text)))
    if idea_filter.near is not None:
        near = idea_filter.near
        if not 0 < near.radius_km <= MAX_RADIUS_KM:
            raise InvalidArgument(f"Der Umkreis muss zwischen 0 und {MAX_RADIUS_KM:g} km liegen.")
        latitude_span = near.radius_km / KM_PER_DEGREE_LATITUDE
        km_per_longitude = KM_PER_DEGREE_LONGITUDE_AT_EQUATOR * func.cos(func.radians(literal(near.point.latitude)))
        dx = (Idea.longitude - near.point.longitude) * km_per_longitude
        dy = (Idea.latitude - near.point.latitude) * KM_PER_DEGREE_LATITUDE
        statement = statement.where(
            Idea.latitude.between(near.point.latitude - latitude_span, near.point.latitude + latitude_span),
            dx * dx + dy * dy <= near.radius_km * near.radius_km,
        )
    return statement


async def list_ideas(
    session: AsyncSession,
    viewer: Viewer,
    *,
    town_id: uuid.UUID | None,
    idea_filter: IdeaFilter,
    order: IdeaOrder,
    first: int,
    after: str | None,
    with_authors: bool = False,
    with_strategy_areas: bool = False,
) -> Page:
    """Published ideas of one town (or of the region when `town_id` is None), one page; with their authors and
    strategy areas read in the same statement when asked for (both are required references, so an inner join
    keeps every idea)."""
    check_page_size(first)
    sort_key = _sort_key(order)
    entities: list[type[Any]] = [Idea]
    if with_authors:
        entities.append(User)
    if with_strategy_areas:
        entities.append(StrategyArea)
    statement = select(*entities)
    if with_authors:
        statement = statement.join(User, User.id == Idea.author_id)
    if with_strategy_areas:
        statement = statement.join(StrategyArea, StrategyArea.id == Idea.strategy_area_id)
    statement = statement.where(Idea.lifecycle == Lifecycle.PUBLISHED.value, idea_visible_to(viewer))
    if town_id is not None:
        statement = statement.where(Idea.town_id == town_id)
    if order is IdeaOrder.RECENTLY_ANSWERED:
        statement = statement.where(Idea.answered_at.is_not(None))
    statement = _apply_filter(statement, idea_filter)
    if after is not None:
        key, idea_id = _decode_cursor(order, after)
        statement = statement.where(tuple_(sort_key, Idea.id) < tuple_(literal(key), literal(idea_id)))
    rows = (await session.execute(statement.order_by(sort_key.desc(), Idea.id.desc()).limit(first + 1))).all()
    shown = rows[:first]
    return Page(
        items=[row[0] for row in shown],
        has_next_page=len(rows) > first,
        order=order,
        authors={row[1].id: row[1] for row in shown} if with_authors else {},
        strategy_areas={row[-1].id: row[-1] for row in shown} if with_strategy_areas else {},
    )
