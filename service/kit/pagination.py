"""Page sizes and opaque keyset cursors shared by every paged list.

A cursor is the URL-safe base64 of a JSON list: the list's kind (`"audit"`, an idea order, …) and its key values as
text, e.g. `["offer","2026-05-01T10:00:00+00:00","<uuid>"]`. `decode_cursor` refuses another kind, another number
of values and anything but short text; `parse_time`, `parse_uuid` and `parse_count` read the values.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import Integer, Select, bindparam, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from service.kit.errors import InvalidArgument

Selected = TypeVar("Selected")

MAX_PAGE_SIZE = 100
# A value in a cursor is one of ours: a time, an id, a count or a kind, never longer.
MAX_CURSOR_VALUE_LENGTH = 100
MAX_COUNT = 2**31 - 1  # PostgreSQL `integer`
INVALID_CURSOR = "Ungültiger Cursor."
_DIGITS = re.compile(r"[0-9]{1,10}")


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen.")


def newest_first(
    statement: Select[Selected],
    key: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    *,
    with_after: bool,
    limit: int | None = None,
) -> Select[Selected]:
    """A keyset page of `statement`, `key` descending then `id_column`, its values bound: `after_key` and
    `after_id` (with `with_after`, the cursor's row) and `limit`. For statements built once per shape. A `limit`
    given here is bound with the statement (a statement read inside another, whose parameters it must not share)."""
    if with_after:
        after = tuple_(bindparam("after_key", type_=key.type), bindparam("after_id", type_=id_column.type))
        statement = statement.where(tuple_(key, id_column) < after)
    ordered = statement.order_by(key.desc(), id_column.desc())
    return ordered.limit(bindparam("limit", type_=Integer) if limit is None else limit)


def encode_cursor(kind: str, *values: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([kind, *values])).decode()


def decode_cursor(kind: str, cursor: str, size: int, message: str = INVALID_CURSOR) -> list[str]:
    """The values of a cursor made by `encode_cursor(kind, …)` with `size` values; else `InvalidArgument(message)`."""
    invalid = InvalidArgument(message)
    try:
        decoded = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid from None
    if not isinstance(decoded, list) or len(decoded) != size + 1 or decoded[0] != kind:
        raise invalid
    if not all(_plain_text(value) for value in decoded[1:]):
        raise invalid
    return decoded[1:]


def _plain_text(value: object) -> bool:
    return isinstance(value, str) and len(value) <= MAX_CURSOR_VALUE_LENGTH and "\x00" not in value


def parse_time(value: object, message: str = INVALID_CURSOR, *, naive_is_utc: bool = False) -> datetime:
    """A time from a cursor: ISO 8601 with an offset (or without one, read as UTC, where `naive_is_utc`), whose
    UTC time the database can hold."""
    if not _plain_text(value):
        raise InvalidArgument(message)
    try:
        parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]
        if parsed.tzinfo is None:
            if not naive_is_utc:
                raise InvalidArgument(message)
            parsed = parsed.replace(tzinfo=UTC)
        parsed.astimezone(UTC)  # `0001-01-01T00:00+01:00` is before the year 1 in UTC
    except (ValueError, OverflowError):
        raise InvalidArgument(message) from None
    return parsed


def parse_uuid(value: object, message: str = INVALID_CURSOR) -> uuid.UUID:
    if not _plain_text(value):
        raise InvalidArgument(message)
    try:
        return uuid.UUID(value)  # type: ignore[arg-type]
    except ValueError:
        raise InvalidArgument(message) from None


def parse_count(value: object, message: str = INVALID_CURSOR) -> int:
    """A count from a cursor: decimal digits of an integer the database's `integer` holds, not negative."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value) or int(value) > MAX_COUNT:
        raise InvalidArgument(message)
    return int(value)
