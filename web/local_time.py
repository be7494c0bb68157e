"""Times as people in the region read and type them: the API's instants shown in German local time, and the
date-and-time fields of forms (local time, no zone) turned into instants for the API."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from jinja2 import Environment

LOCAL = ZoneInfo("Europe/Berlin")


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(LOCAL)


def shown(value: str | None) -> str:
    """`2026-12-06T13:30:00+00:00` → `06.12.2026, 14:30 Uhr`."""
    return _instant(value).strftime("%d.%m.%Y, %H:%M Uhr") if value else ""


def field_value(value: str | None) -> str:
    """An instant as the value of a `datetime-local` field."""
    return _instant(value).strftime("%Y-%m-%dT%H:%M:%S") if value else ""


def typed_instant(value: str) -> str | None:
    """A `datetime-local` field's value (`2026-12-06T14:30`, seconds optional) as an instant; None if it is none."""
    try:
        typed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if typed.tzinfo is not None:
        return None
    return typed.replace(tzinfo=LOCAL).isoformat()


def day_start(value: str, *, days_later: int = 0) -> str | None:
    """The local start of a typed day (`2026-12-06`), or of the day `days_later` after it."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=days_later), time(), LOCAL).isoformat()


def german_number(value: float) -> str:
    """`1.5` → `1,5`, `2.0` → `2`."""
    return f"{value:g}".replace(".", ",")


def add_filters(environment: Environment) -> None:
    environment.filters["shown_time"] = shown
    environment.filters["field_time"] = field_value
    environment.filters["german_number"] = german_number
