"""The idea feed: keyset pagination over published ideas, filtered and ordered by enums only."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    Row,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from service.ideas.models import Idea, OfficialStatus
from service.ideas.policies import idea_visible_to_everyone
from service.kit.errors import InvalidArgument
from service.kit.geo import Near, within
from service.kit.pagination import (
    MAX_CURSOR_VALUE_LENGTH,
    check_page_size,
    decode_cursor,
    encode_cursor,
    parse_count,
    parse_time,
    parse_uuid,
)
from service.towns.models import StrategyArea
from service.towns.repository import AreaHeader
from service.users.models import User

MAX_SEARCH_LENGTH = 200


class IdeaOrder(StrEnum):
    NEWEST = "newest"
    MOST_SUPPORTED = "most_supported"
    RECENTLY_ANSWERED = "recently_answered"
    RELEVANCE = "relevance"


# The relevance of a hit: PostgreSQL's `ts_rank` of the stemmed match (title words weigh 1, body words 0.4), plus
# 1 when every stem of the query begins or ends a word of the title (a compound match in the title), so that an
# idea named after the words comes before one that only mentions them. Rounded to six decimals, so that the value
# in a cursor is the very value the next page compares with.
RANK_DECIMALS = 6
TITLE_BOOST = 1


@dataclass(frozen=True)
class IdeaFilter:
    strategy_area_id: uuid.UUID | None = None
    official_status: OfficialStatus | None = None
    text: str | None = None
    near: Near | None = None


class FeedAuthor(NamedTuple):
    """What the feed reads of an idea's author (the attribute names are `User`'s)."""

    id: uuid.UUID
    display_name: str | None
    deleted_at: datetime | None


class FeedIdea(NamedTuple):
    """An idea as the feed reads it: its columns under `Idea`'s attribute names, and its author and strategy area
    when they were asked for."""

    id: uuid.UUID
    title: str
    body: str
    latitude: float | None
    longitude: float | None
    image_alt_texts: list[str]
    lifecycle: str
    official_status: str | None
    official_answer: str | None
    answered_at: datetime | None
    published_at: datetime | None
    created_at: datetime
    support_count: int
    comment_count: int
    town_id: uuid.UUID
    author_id: uuid.UUID
    strategy_area_id: uuid.UUID
    author: FeedAuthor | None = None
    strategy_area: AreaHeader | None = None
    rank: Decimal | None = None


@dataclass(frozen=True)
class Page:
    items: Sequence[FeedIdea]
    has_next_page: bool
    order: IdeaOrder

    def cursor(self, idea: FeedIdea) -> str:
        return idea_cursor(self.order, idea)


def _sort_key(order: IdeaOrder) -> ColumnElement[Any]:
    if order is IdeaOrder.RELEVANCE:
        return _RANK
    if order is IdeaOrder.MOST_SUPPORTED:
        return Idea.support_count  # type: ignore[return-value]
    if order is IdeaOrder.RECENTLY_ANSWERED:
        return Idea.answered_at  # type: ignore[return-value]
    return Idea.published_at  # type: ignore[return-value]


def idea_cursor(order: IdeaOrder, idea: Idea | FeedIdea) -> str:
    """The cursor of `idea` in the feed in `order`: the order's key (rank, supports or time) and the id."""
    value: str
    if order is IdeaOrder.RELEVANCE:
        value = str(getattr(idea, "rank", None))
    elif order is IdeaOrder.MOST_SUPPORTED:
        value = str(idea.support_count)
    else:
        moment = idea.answered_at if order is IdeaOrder.RECENTLY_ANSWERED else idea.published_at
        value = moment.isoformat() if moment else ""
    return encode_cursor(order.value, value, str(idea.id))


def _decode_cursor(order: IdeaOrder, cursor: str) -> tuple[object, uuid.UUID]:
    message = "Ungültiger Cursor für diese Sortierung."
    value, idea_id = decode_cursor(order.value, cursor, 2, message)
    key: object
    if order is IdeaOrder.RELEVANCE:
        key = _parse_rank(value, message)
    elif order is IdeaOrder.MOST_SUPPORTED:
        key = parse_count(value, message)
    else:
        key = parse_time(value, message, naive_is_utc=True)
    return key, parse_uuid(idea_id, message)


def _parse_rank(value: object, message: str) -> Decimal:
    if not isinstance(value, str) or len(value) > MAX_CURSOR_VALUE_LENGTH:
        raise InvalidArgument(message)
    try:
        rank = Decimal(value)
    except InvalidOperation:
        raise InvalidArgument(message) from None
    if not rank.is_finite():
        raise InvalidArgument(message)
    return rank


# The statement's columns are named after the rows they fill, in the same order: the idea's, then the author's,
# then the strategy area's (each when asked for).
IDEA_COLUMNS = tuple(
    getattr(Idea, name) for name in FeedIdea._fields if name not in ("author", "strategy_area", "rank")
)
AUTHOR_COLUMNS = tuple(getattr(User, name) for name in FeedAuthor._fields)
AREA_COLUMNS = tuple(getattr(StrategyArea, name) for name in AreaHeader._fields)
_AUTHOR_START = len(IDEA_COLUMNS)


@dataclass(frozen=True)
class _Shape:
    """What a feed statement looks like apart from its values: a statement is built once per shape."""

    order: IdeaOrder
    in_town: bool
    strategy_area: bool
    status: bool
    text: bool
    near: bool
    after: bool
    with_authors: bool
    with_strategy_areas: bool


# German writes in compounds: "Fahrrad" should find "Fahrradbügel", "Bank" the "Sitzbank". Besides the stemmed
# full-text match, an idea matches when every stem of the query (three letters or more) begins or ends a word of
# its title or body (a compound's first or last part, with a German inflection ending), umlauts and ß folded as
# the stemmer folds them. Only for queries of plain words (`compound_text`, else NULL): quotes and exclusions keep
# their full-text meaning. `tests/schema/ideas/test_search_compounds.py -s` compares this with prefix matching
# and trigram similarity on a German corpus.
_FOLDED = "replace(translate(lower(ideas.title || ' ' || ideas.body), 'äöü', 'aou'), 'ß', 'ss')"
_STEMS = (
    "FROM unnest(tsvector_to_array(to_tsvector('german', CAST(:compound_text AS text)))) AS stem "
    "WHERE length(stem) >= 3"
)
# The LIKE on the longest stem lets the trigram index on the folded text (migration 0014) find the candidates.
_COMPOUND_PARTS = text(
    f"({_FOLDED} LIKE (SELECT '%' || stem || '%' {_STEMS} ORDER BY length(stem) DESC, stem LIMIT 1) "
    f"AND {_FOLDED} ~ ALL ((SELECT array_agg('\\m' || stem || '|' || stem || '(e|en|er|es|n|s|ern|ens)?\\M') "
    f"{_STEMS})::text[]))"
)
_PLAIN_WORDS = re.compile(r"[\w\s]+")
_FOLDED_TITLE = "replace(translate(lower(ideas.title), 'äöü', 'aou'), 'ß', 'ss')"
_COMPOUND_IN_TITLE = text(
    f"({_FOLDED_TITLE} ~ ALL ((SELECT array_agg('\\m' || stem || '|' || stem || '(e|en|er|es|n|s|ern|ens)?\\M') "
    f"{_STEMS})::text[]))"
)
_SEARCH_QUERY = func.websearch_to_tsquery("german", bindparam("text", type_=String))
_RANK: ColumnElement[Any] = func.round(
    cast(func.ts_rank(Idea.search_vector, _SEARCH_QUERY), Numeric) + case((_COMPOUND_IN_TITLE, TITLE_BOOST), else_=0),
    RANK_DECIMALS,
    type_=Numeric,
)


@cache
def _statement(shape: _Shape) -> Select[Any]:
    """The feed's statement for one shape, its values left as bound parameters (named as in `_parameters`).

    Only ideas that every caller may see are listed (published ones), so the statement is the same for every
    caller.
    """
    sort_key = _sort_key(shape.order)
    columns: list[ColumnElement[Any]] = [*IDEA_COLUMNS]
    if shape.with_authors:
        columns.extend(AUTHOR_COLUMNS)
    if shape.with_strategy_areas:
        columns.extend(AREA_COLUMNS)
    if shape.order is IdeaOrder.RELEVANCE:
        columns.append(_RANK)
    statement = select(*columns).select_from(Idea)
    if shape.with_authors:
        statement = statement.join(User, User.id == Idea.author_id)
    if shape.with_strategy_areas:
        statement = statement.join(StrategyArea, StrategyArea.id == Idea.strategy_area_id)
    statement = statement.where(idea_visible_to_everyone())
    if shape.in_town:
        statement = statement.where(Idea.town_id == bindparam("town_id"))
    if shape.order is IdeaOrder.RECENTLY_ANSWERED:
        statement = statement.where(Idea.answered_at.is_not(None))
    if shape.strategy_area:
        statement = statement.where(Idea.strategy_area_id == bindparam("strategy_area_id"))
    if shape.status:
        statement = statement.where(Idea.official_status == bindparam("status"))
    if shape.text:
        statement = statement.where(or_(Idea.search_vector.op("@@")(_SEARCH_QUERY), _COMPOUND_PARTS))
    if shape.near:
        statement = statement.where(within(Idea.latitude, Idea.longitude))
    if shape.after:
        after = tuple_(bindparam("after_key", type_=sort_key.type), bindparam("after_id", type_=Idea.id.type))
        statement = statement.where(tuple_(sort_key, Idea.id) < after)
    return statement.order_by(sort_key.desc(), Idea.id.desc()).limit(bindparam("limit", type_=Integer))


def _parameters(
    town_id: uuid.UUID | None, idea_filter: IdeaFilter, order: IdeaOrder, first: int, after: str | None
) -> dict[str, object]:
    parameters: dict[str, object] = {"limit": first + 1}
    if town_id is not None:
        parameters["town_id"] = town_id
    if idea_filter.strategy_area_id is not None:
        parameters["strategy_area_id"] = idea_filter.strategy_area_id
    if idea_filter.official_status is not None:
        parameters["status"] = idea_filter.official_status.value
    if idea_filter.text:
        parameters["text"] = idea_filter.text.strip()[:MAX_SEARCH_LENGTH]
        parameters["compound_text"] = parameters["text"] if _PLAIN_WORDS.fullmatch(str(parameters["text"])) else None
    if idea_filter.near is not None:
        parameters.update(idea_filter.near.parameters())
    if after is not None:
        parameters["after_key"], parameters["after_id"] = _decode_cursor(order, after)
    return parameters


async def list_ideas(
    session: AsyncSession,
    *,
    town_id: uuid.UUID | None,
    idea_filter: IdeaFilter,
    order: IdeaOrder | None,
    first: int,
    after: str | None,
    with_authors: bool = False,
    with_strategy_areas: bool = False,
) -> Page:
    """Published ideas of one town (or of the region when `town_id` is None), one page; with their authors and
    strategy areas read in the same statement when asked for (both are required references, so an inner join
    keeps every idea).

    The feed is the busiest read there is: it is read as plain rows, not as ORM entities, through a statement
    built once per shape.

    Without an `order`, hits of a search come by relevance, everything else newest first; relevance needs a
    search."""
    check_page_size(first)
    searching = bool(idea_filter.text and idea_filter.text.strip())
    if order is None:
        order = IdeaOrder.RELEVANCE if searching else IdeaOrder.NEWEST
    elif order is IdeaOrder.RELEVANCE and not searching:
        raise InvalidArgument("Nach Relevanz lässt sich nur eine Suche sortieren: bitte einen Suchtext angeben.")
    parameters = _parameters(town_id, idea_filter, order, first, after)
    shape = _Shape(
        order=order,
        in_town=town_id is not None,
        strategy_area=idea_filter.strategy_area_id is not None,
        status=idea_filter.official_status is not None,
        text=bool(idea_filter.text),
        near=idea_filter.near is not None,
        after=after is not None,
        with_authors=with_authors,
        with_strategy_areas=with_strategy_areas,
    )
    await session.flush()  # read through the connection, which does not flush what the session holds
    connection = await session.connection()
    rows = (await connection.execute(_statement(shape), parameters)).all()
    ranked = order is IdeaOrder.RELEVANCE
    return Page(
        items=[_feed_idea(row, with_authors, with_strategy_areas, ranked=ranked) for row in rows[:first]],
        has_next_page=len(rows) > first,
        order=order,
    )


def _feed_idea(row: Row[Any], with_author: bool, with_strategy_area: bool, *, ranked: bool) -> FeedIdea:
    """A row as the statement lays it out (see `IDEA_COLUMNS`), its rank last when ordered by relevance."""
    area_start = _AUTHOR_START + len(AUTHOR_COLUMNS) if with_author else _AUTHOR_START
    area_end = area_start + len(AREA_COLUMNS) if with_strategy_area else area_start
    author = FeedAuthor._make(row[_AUTHOR_START:area_start]) if with_author else None
    area = AreaHeader._make(row[area_start:area_end]) if with_strategy_area else None
    return FeedIdea._make((*row[:_AUTHOR_START], author, area, row[area_end] if ranked else None))
