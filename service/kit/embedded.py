"""Short lists read with another statement's row, as JSON columns: one statement instead of one per list.

A town's page shows the town, its fields of action, its open surveys and its volunteer offers. Read in a statement
each, every list costs a round trip and a statement's machinery for a handful of rows; read with the town, it costs
a column. An `EmbeddedList` is such a list: the columns it reads (a model's, or a plain row type's), and its select
(the domain's own conditions, order and limit) given the column of the owner's id, e.g. `towns.id`.

- `EmbeddedList.column(owner_id)` is the list as one column for the owner's statement to select:
  `(SELECT json_agg(page ORDER BY …)::text FROM (<select>) AS page)`, correlated to the owner's row, in the list's
  own order; NULL when it is empty.
- `EmbeddedList.rows(value)` reads that column back: each row as the list's row type, every column converted by
  its type as the database driver would have given it (ids as `uuid.UUID`, times as aware datetimes in UTC, enum
  columns as their enum's members). A model's rows come back detached and unmodified, as loaded rows do once their
  session is closed. A column of a type that is not read back here is refused when the list is declared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import (
    ARRAY,
    Boolean,
    DateTime,
    Enum,
    Float,
    Integer,
    ScalarSelect,
    Select,
    String,
    Text,
    Uuid,
    cast,
    func,
    inspect,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, make_transient_to_detached
from sqlalchemy.types import TypeEngine

R = TypeVar("R")
M = TypeVar("M")


def _same(value: Any) -> Any:
    return value


def _timestamp(value: str) -> datetime:
    read = datetime.fromisoformat(value)
    # JSON writes a time with the session's offset; the driver gives UTC.
    return read.astimezone(UTC) if read.tzinfo is not None else read


def _reader(type_: TypeEngine[Any]) -> Callable[[Any], Any]:
    """How a column of `type_` is read back from JSON (a JSON null is None whatever the type)."""
    if isinstance(type_, Uuid):
        return uuid.UUID
    if isinstance(type_, DateTime):
        return _timestamp
    if isinstance(type_, Enum):
        # An enum column (a string column, below) is read as its enum's members, as the ORM reads it.
        return type_.enum_class if type_.enum_class is not None else _same
    if isinstance(type_, ARRAY) and isinstance(type_.item_type, String):
        return list
    if isinstance(type_, Boolean | Integer | Float | String):
        return _same
    raise TypeError(f"a column of type {type_!r} cannot be read back from JSON here")


@dataclass(frozen=True, eq=False)
class EmbeddedList(Generic[R]):
    """A short list to read as one JSON column of its owner's row (see the module's docstring). Compared and
    hashed by identity: a statement that reads lists is built once per set of lists."""

    columns: tuple[InstrumentedAttribute[Any], ...]
    build: Callable[..., R]
    statement: Callable[[InstrumentedAttribute[uuid.UUID]], Select[Any]]
    # The list's order, `(column, descending)` pairs: the statement's own order, which the aggregate keeps.
    order: tuple[tuple[InstrumentedAttribute[Any], bool], ...]
    readers: tuple[tuple[str, Callable[[Any], Any]], ...] = field(init=False)

    def __post_init__(self) -> None:
        readers = tuple((column.key, _reader(column.type)) for column in self.columns)
        object.__setattr__(self, "readers", readers)

    def column(self, owner_id: InstrumentedAttribute[uuid.UUID]) -> ScalarSelect[str | None]:
        """The list as text, a JSON array of its rows in its order, for the statement that reads its owner (whose
        id is the column `owner_id`, e.g. `Town.id`)."""
        page = self.statement(owner_id).correlate(owner_id.class_).subquery("page")
        keys = [page.c[column.key].desc() if descending else page.c[column.key] for column, descending in self.order]
        return select(cast(func.json_agg(aggregate_order_by(page.table_valued(), *keys)), Text)).scalar_subquery()

    def rows(self, value: str | None) -> list[R]:
        """The list's rows from the column's value."""
        if value is None:
            return []
        return [self._row(item) for item in orjson.loads(value)]

    def _row(self, item: Mapping[str, Any]) -> R:
        return self.build(**{key: None if (raw := item[key]) is None else read(raw) for key, read in self.readers})


def _detached(model: type[M]) -> Callable[..., M]:
    def build(**values: Any) -> M:
        row = model(**values)
        make_transient_to_detached(row)
        return row

    return build


def loaded_columns(model: type[Any]) -> tuple[InstrumentedAttribute[Any], ...]:
    """The model's columns a select of the model loads (deferred ones left out)."""
    return tuple(getattr(model, attribute.key) for attribute in inspect(model).column_attrs if not attribute.deferred)


def embedded_rows(
    model: type[M],
    statement: Callable[[InstrumentedAttribute[uuid.UUID]], Select[Any]],
    *,
    newest_first: Sequence[InstrumentedAttribute[Any]],
) -> EmbeddedList[M]:
    """A list of `model`'s rows: `statement(owner_id)` selects `loaded_columns(model)` with its conditions, order
    and limit, newest first by the columns `newest_first` (the sort key, then the id)."""
    order = tuple((column, True) for column in newest_first)
    return EmbeddedList(loaded_columns(model), _detached(model), statement, order)


def embedded_tuples(
    columns: Iterable[InstrumentedAttribute[Any]],
    build: Callable[..., R],
    statement: Callable[[InstrumentedAttribute[uuid.UUID]], Select[Any]],
    *,
    order: Sequence[InstrumentedAttribute[Any]],
) -> EmbeddedList[R]:
    """A list of plain rows, `build(**columns)` (say a NamedTuple's class): `statement(owner_id)` selects the
    columns, and the columns of `order` (ascending) beside them if they are not among them."""
    return EmbeddedList(tuple(columns), build, statement, tuple((column, False) for column in order))
