"""Template filters of the survey pages: numbers and times as German readers write them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from jinja2 import Environment

TOWN_TIME = ZoneInfo("Europe/Berlin")


def number_text(value: float | int | None, digits: int = 2) -> str:
    """3.5 → "3,5", 4.0 → "4", -1234.75 → "-1234,75"."""
    if value is None:
        return "\u2013"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def local_time(value: str | None) -> str:
    """An API time (ISO with offset) in the towns' time: "20.12.2026, 18:00 Uhr"."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone(TOWN_TIME)
    return moment.strftime("%d.%m.%Y, %H:%M Uhr")


def local_day(value: str) -> str:
    """An API day ("2026-12-06") as "06.12.2026"."""
    year, month, day = value.split("-")
    return f"{day}.{month}.{year}"


def pick(options: Sequence[str], indexes: Sequence[int]) -> str:
    """The labels of the chosen options, each in German quotes."""
    return ", ".join(f"„{options[index]}“" for index in indexes if 0 <= index < len(options))


def register(environment: Environment) -> None:
    environment.filters.update(number_text=number_text, local_time=local_time, local_day=local_day, pick=pick)
