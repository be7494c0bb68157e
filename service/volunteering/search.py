"""Finding published offers: by town or the whole region, text, skills, strategy area, dates and distance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.kit.embedded import EmbeddedList, embedded_rows, loaded_columns
from service.kit.errors import InvalidArgument
from service.kit.geo import Near, within
from service.kit.pagination import check_page_size, decode_cursor, encode_cursor, newest_first, parse_time, parse_uuid
from service.volunteering.models import Offer, Shift
from service.volunteering.policies import offer_visible_to_everyone

MAX_SEARCH_LENGTH = 200
MAX_SKILLS_IN_FILTER = 20


@dataclass(frozen=True)
class OfferFilter:
    text: str | None = None
    skills: Sequence[str] = field(default_factory=tuple)
    strategy_area_id: uuid.UUID | None = None
    # Offers with a shift (not cancelled) starting in [starts_after, starts_before).
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    near: Near | None = None


@dataclass(frozen=True)
class OfferPage:
    items: Sequence[Offer]
    has_next_page: bool

    @staticmethod
    def cursor(offer: Offer) -> str:
        published = offer.published_at.isoformat() if offer.published_at else ""
        return encode_cursor(_CURSOR, published, str(offer.id))


_CURSOR = "offer"


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    published, offer_id = decode_cursor(_CURSOR, cursor, 2)
    return parse_time(published, naive_is_utc=True), parse_uuid(offer_id)


def _apply_filter(statement: Select[Offer], offer_filter: OfferFilter) -> Select[Offer]:
    if offer_filter.strategy_area_id is not None:
        statement = statement.where(Offer.strategy_area_id == offer_filter.strategy_area_id)
    if offer_filter.text and offer_filter.text.strip():
        text = offer_filter.text.strip()[:MAX_SEARCH_LENGTH]
        statement = statement.where(Offer.search_vector.op("@@")(func.websearch_to_tsquery("german", text)))
    if offer_filter.skills:
        if len(offer_filter.skills) > MAX_SKILLS_IN_FILTER:
            raise InvalidArgument(f"Höchstens {MAX_SKILLS_IN_FILTER} Fähigkeiten im Filter.")
        # Skills are matched whole, ignoring case and runs of spaces ("erste  hilfe" finds "Erste Hilfe").
        wanted = {" ".join(skill.split()).lower() for skill in offer_filter.skills}
        skill = func.unnest(Offer.skills).table_valued("name").render_derived()
        statement = statement.where(exists(select(skill.c.name).where(func.lower(skill.c.name).in_(wanted))))
    if offer_filter.starts_after is not None or offer_filter.starts_before is not None:
        conditions = [Shift.offer_id == Offer.id, Shift.cancelled_at.is_(None)]
        if offer_filter.starts_after is not None:
            conditions.append(Shift.starts_at >= offer_filter.starts_after)
        if offer_filter.starts_before is not None:
            conditions.append(Shift.starts_at < offer_filter.starts_before)
        statement = statement.where(exists(select(Shift.id).where(*conditions)))
    if offer_filter.near is not None:
        parameters = offer_filter.near.parameters()
        statement = statement.where(within(Offer.latitude, Offer.longitude)).params(parameters)
    return statement


async def list_offers(
    session: AsyncSession,
    *,
    town_id: uuid.UUID | None,
    offer_filter: OfferFilter,
    first: int,
    after: str | None,
) -> OfferPage:
    """Published offers of one town (or the region when `town_id` is None), newest first, one page. Published
    offers are visible to every viewer."""
    check_page_size(first)
    parameters: dict[str, object] = {"limit": first + 1}
    if town_id is not None:
        parameters["town_id"] = town_id
    if after is not None:
        parameters["after_key"], parameters["after_id"] = _decode_cursor(after)
    statement = _apply_filter(_statement(in_town=town_id is not None, with_after=after is not None), offer_filter)
    return offer_page((await session.scalars(statement, parameters)).all(), first)


def offer_page(rows: Sequence[Offer], first: int) -> OfferPage:
    """A page of `first` offers from the `first + 1` rows read for it (the last only says there are more)."""
    return OfferPage(items=rows[:first], has_next_page=len(rows) > first)


@lru_cache(maxsize=64)
def embedded_town_offers(first: int) -> EmbeddedList[Offer]:
    """`list_offers`'s first page of a town's offers without a filter (`first + 1` rows, for `offer_page`), to read
    with the town (`service.towns.service.get_town_with`): published offers, the same for every caller."""
    check_page_size(first)
    return embedded_rows(
        Offer,
        lambda town_id: newest_first(
            select(*loaded_columns(Offer)).where(offer_visible_to_everyone(), Offer.town_id == town_id),
            Offer.published_at,
            Offer.id,
            with_after=False,
            limit=first + 1,
        ),
        newest_first=(Offer.published_at, Offer.id),
    )


@cache
def _statement(*, in_town: bool, with_after: bool) -> Select[Offer]:
    """`list_offers`'s statement before its filter, its values left as bound parameters: built once per shape,
    so that a search without a filter (a town's page) builds nothing."""
    statement = select(Offer).where(offer_visible_to_everyone())
    if in_town:
        statement = statement.where(Offer.town_id == bindparam("town_id"))
    return newest_first(statement, Offer.published_at, Offer.id, with_after=with_after)
