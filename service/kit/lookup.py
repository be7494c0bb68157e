"""Batch lookups, the one way every dataloader's batch finds its rows: by a list of keys, in one statement.

`column = ANY(:keys)` (`key_in_keys`) takes any number of keys as one array parameter; the statement is executed
with `keys(…)` as its parameters. A statement built once at import is neither built nor given a cache key again
per call (SQLAlchemy memoizes both on the statement object); one that depends on the viewer is built per call,
but either way nothing is rendered per call as `IN (…)` with one parameter per key would be, and PostgreSQL sees
one prepared statement for every number of keys. `by_key` and `grouped` shape the rows as a dataloader wants them.

A fixed set of values (statuses) is one array parameter too: `one_of(column, values)` is `column = ANY(:values)`,
compiled once with its statement, where `column.in_(values)` renders its list again on every run.

Rows keyed by a pair of columns (a subject's kind and id) are found the same way: `pair_in_keys` is
`(kind, id) IN (SELECT * FROM unnest(:kinds, :ids))`, two array parameters however many pairs, executed with
`pairs(…)`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute

KEYS = "keys"
FIRSTS, SECONDS = "firsts", "seconds"
K = TypeVar("K", bound=Hashable)
R = TypeVar("R")


def key_in_keys(column: InstrumentedAttribute[Any], name: str = KEYS) -> ColumnElement[bool]:
    """`column = ANY(:keys)`; execute the statement with `keys(…)` as its parameters (`name` for a second list)."""
    return column == any_(bindparam(name, type_=ARRAY(column.type)))


def one_of(column: InstrumentedAttribute[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column = ANY(:values)` for a fixed set of values, bound with the statement: `column IN (…)` as it is
    compiled once (SQLAlchemy renders the list of `in_` anew on every run of the statement)."""
    return column == any_(literal(list(values), ARRAY(column.type)))


def keys(values: Iterable[Any], name: str = KEYS) -> dict[str, list[Any]]:
    return {name: list(values)}


def pair_in_keys(first: InstrumentedAttribute[Any], second: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """`(first, second) IN (SELECT * FROM unnest(:firsts, :seconds))`; execute the statement with `pairs(…)`.

    The arrays take the columns' types: a foreign-key column has one only once the models are mapped, so a
    statement on one is built on first use rather than at import.
    """
    wanted = (
        func.unnest(bindparam(FIRSTS, type_=ARRAY(first.type)), bindparam(SECONDS, type_=ARRAY(second.type)))
        .table_valued("first", "second")
        .render_derived()
    )
    return tuple_(first, second).in_(select(wanted.c.first, wanted.c.second))


def pairs(values: Iterable[tuple[Any, Any]]) -> dict[str, list[Any]]:
    found = list(values)
    return {FIRSTS: [first for first, _ in found], SECONDS: [second for _, second in found]}


def by_key(rows: Iterable[R], key: Callable[[R], K]) -> dict[K, R]:
    """Each row under its key (a key found twice keeps the last row)."""
    return {key(row): row for row in rows}


def grouped(wanted: Sequence[K], rows: Iterable[R], key: Callable[[R], K | None]) -> dict[K, list[R]]:
    """The rows of each wanted key, in the order of `rows`; a wanted key without rows has an empty list."""
    found: dict[K, list[R]] = {wanted_key: [] for wanted_key in wanted}
    for row in rows:
        row_key = key(row)
        if row_key is not None:
            found[row_key].append(row)
    return found
