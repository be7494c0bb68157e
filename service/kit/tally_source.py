"""What a domain contributes to the participation tallies: its events, declared as a typed select over its own models.

A domain declares one `TallySource` per figure it feeds (`tally_source(...)` in `service/<domain>/tally_source.py`);
`service/tallies/sources.py` collects them and the recompute composes them into its statements. The tallies never
name another domain's tables or status values: a renamed column or status fails type checking in the domain that
owns it, not the hourly job.

An event is one row of the select, in this order: the person (a user id, or for a contribution without a person a
key of its own, which then counts as a participant of its own), the town, the strategy area (or NULL: the whole
town), the local day (`local_day` of a timestamp, or a date column) and the amount (1 for a count; minutes for
hours, with `unit=60`). The day column must never be NULL (a source filters rows without one itself). Only the
rows that the public sees belong in a source: the tallies add up whatever the select returns.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from sqlalchemy import Date, Integer, Select, SQLColumnExpression, cast, func, label, literal, select

# Period boundaries are those of the local calendar.
TIME_ZONE = "Europe/Berlin"

# person, town, strategy area (None: the whole town), local day, amount
Events: TypeAlias = Select[uuid.UUID, uuid.UUID, uuid.UUID | None, date, int | None]

# The names of the events' columns, in their order.
PERSON, TOWN, AREA, DAY, AMOUNT = "person", "town_id", "area_id", "day", "amount"


@dataclass(frozen=True)
class TallySource:
    """One figure's events. `metric` names the figure (a `service.tallies.models.Metric` value; the tallies refuse
    any other); `participation` False marks what the town did (publishing, accepting an idea): it is counted, but
    its person does not become a participant by it; the summed amount is divided by `unit` before it is stored."""

    metric: str
    events: Events
    participation: bool = True
    unit: int = 1


def tally_source(
    metric: str,
    *,
    person: SQLColumnExpression[uuid.UUID],
    town: SQLColumnExpression[uuid.UUID],
    area: SQLColumnExpression[uuid.UUID | None],
    day: SQLColumnExpression[date],
    amount: SQLColumnExpression[int | None] | None = None,
    rows: Callable[[Events], Events] = lambda events: events,
    participation: bool = True,
    unit: int = 1,
) -> TallySource:
    """A source of `metric`'s events: the five columns, and `rows` adding the joins and conditions that pick the
    rows (applied to `SELECT person, town, area, day, amount`)."""
    if unit < 1:
        raise ValueError(f"{metric}: the unit must be a positive whole number")
    columns: Events = select(
        label(PERSON, person),
        label(TOWN, town),
        label(AREA, area),
        label(DAY, day),
        label(AMOUNT, literal(1, Integer) if amount is None else amount),
    )
    return TallySource(metric=metric, events=rows(columns), participation=participation, unit=unit)


def local_day(at: SQLColumnExpression[datetime | None]) -> SQLColumnExpression[date]:
    """The day of the local calendar on which `at` falls."""
    return cast(func.timezone(TIME_ZONE, at), Date)
