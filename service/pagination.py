"""Page sizes and opaque keyset cursors shared by every paged list."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from service.errors import InvalidArgument

MAX_PAGE_SIZE = 100


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"`first` muss zwischen 1 und {MAX_PAGE_SIZE} liegen.")


def encode_cursor(kind: str, *values: str) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(kind: str, cursor: str, size: int) -> list[str]:
    """The values of a cursor made by `encode_cursor(kind, …)` with `size` values."""
    invalid = InvalidArgument("Ungültiger Cursor.")
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid from None
    if not isinstance(decoded, list) or len(decoded) != size + 1 or decoded[0] != kind:
        raise invalid
    if not all(isinstance(value, str) for value in decoded[1:]):
        raise invalid
    return decoded[1:]


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument("Ungültiger Cursor.") from None
    if parsed.tzinfo is None:
        raise InvalidArgument("Ungültiger Cursor.")
    return parsed


def parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidArgument("Ungültiger Cursor.") from None
