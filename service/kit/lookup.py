"""Statements that find rows by a list of keys, built once at import.

`column = ANY(:keys)` takes any number of keys as one array parameter. A module-level statement is neither
built nor given a cache key again per call (SQLAlchemy memoizes both on the statement object), nothing is
rendered per call as `IN (…)` with one parameter per key would be, and PostgreSQL sees one prepared statement
for every number of keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute

KEYS = "keys"


def key_in_keys(column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """`column = ANY(:keys)`; execute the statement with `keys(…)` as its parameters."""
    return column == any_(bindparam(KEYS, type_=ARRAY(column.type)))


def keys(values: Sequence[Any]) -> dict[str, list[Any]]:
    return {KEYS: list(values)}
