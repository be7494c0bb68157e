"""Recompute every tally from the source tables in one transaction.

Each source table contributes *events*: (metric, person, town, strategy area, when, amount). Events are counted
per person first, in every period that contains them, and then rolled up three ways: per town and strategy area,
per town, and for the region. The result replaces the table's content with upserts (rows that did not change are
not touched) and a delete of cells that no longer exist. Everything happens in one transaction: a run that is
killed half-way leaves the previous complete snapshot in place, and readers never see a half-written one.

Period boundaries are those of the local calendar (Europe/Berlin); weeks start on Monday (ISO 8601).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, text
from sqlalchemy.ext.asyncio import AsyncSession

from service.tallies.models import Metric, Period, TallyRun

TIME_ZONE = "Europe/Berlin"

# An idea counts as accepted (implemented) when it first reached that official status.
_FIRST_STATUS = """
    SELECT i.author_id, i.town_id, i.strategy_area_id, min(a.created_at) AS at
    FROM idea_official_answers a JOIN ideas i ON i.id = a.idea_id
    WHERE a.status = '{status}'
    GROUP BY a.idea_id, i.author_id, i.town_id, i.strategy_area_id
"""

# (metric, SELECT yielding user_id, town_id, area_id, at, amount). Each domain adds its own source here.
SOURCES: list[tuple[Metric, str]] = [
    (
        Metric.IDEAS_SUBMITTED,
        "SELECT author_id, town_id, strategy_area_id, created_at, 1 FROM ideas",
    ),
    (
        Metric.IDEAS_PUBLISHED,
        "SELECT author_id, town_id, strategy_area_id, published_at, 1 FROM ideas WHERE published_at IS NOT NULL",
    ),
    (Metric.IDEAS_ACCEPTED, f"SELECT *, 1 FROM ({_FIRST_STATUS.format(status='accepted')}) AS accepted"),
    (Metric.IDEAS_IMPLEMENTED, f"SELECT *, 1 FROM ({_FIRST_STATUS.format(status='implemented')}) AS implemented"),
    (
        Metric.SUPPORTS,
        "SELECT s.user_id, i.town_id, i.strategy_area_id, s.created_at, 1 "
        "FROM idea_supports s JOIN ideas i ON i.id = s.idea_id",
    ),
    (
        # Anonymous responses carry no person: each counts as a participant of its own. Matching them with the
        # people behind other contributions would be exactly the link that anonymous surveys rule out.
        Metric.SURVEY_RESPONSES,
        f"SELECT coalesce(r.respondent_id, r.id), s.town_id, s.strategy_area_id, "
        f"r.submitted_on::timestamp AT TIME ZONE '{TIME_ZONE}', 1 "
        "FROM survey_responses r JOIN surveys s ON s.id = r.survey_id",
    ),
    (
        # Sign-ups when made, waitlisted ones included; cancelled and expired ones no longer count.
        Metric.VOLUNTEER_SIGN_UPS,
        "SELECT u.user_id, o.town_id, o.strategy_area_id, u.queued_at, 1 "
        "FROM volunteer_sign_ups u JOIN volunteer_shifts s ON s.id = u.shift_id "
        "JOIN volunteer_offers o ON o.id = s.offer_id WHERE u.status NOT IN ('cancelled', 'expired')",
    ),
    (
        # Hours confirmed by the organisation, in the period of the shift's start.
        Metric.VOLUNTEER_HOURS,
        "SELECT u.user_id, o.town_id, o.strategy_area_id, s.starts_at, u.attended_minutes / 60.0 "
        "FROM volunteer_sign_ups u JOIN volunteer_shifts s ON s.id = u.shift_id "
        "JOIN volunteer_offers o ON o.id = s.offer_id "
        "WHERE u.status = 'attended' AND u.attended_minutes IS NOT NULL",
    ),
    (
        Metric.COMMENTS,
        "SELECT c.author_id, i.town_id, i.strategy_area_id, c.created_at, 1 "
        "FROM comments c JOIN ideas i ON i.id = c.idea_id",
    ),
]

# What the town did with an idea counts the idea, but its author did nothing then: not a participant.
TOWN_ACTIONS = (Metric.IDEAS_PUBLISHED, Metric.IDEAS_ACCEPTED, Metric.IDEAS_IMPLEMENTED)

# Zero UUID stands for "no town / all areas" where NULL cannot take part in a join.
_NONE = "'00000000-0000-0000-0000-000000000000'::uuid"

# The working tables key towns and areas by small numbers (tally_towns, tally_areas): sorting and hashing millions
# of events on them is much cheaper than on UUIDs. 0 stands for "the region" and "all areas" (or none).
# The three levels of the roll-up: (town, area) expressions over the events, and which events take part.
# Events without a strategy area (e.g. a survey for the whole town) count for the town and the region only.
_LEVELS = (("town", "area", "area <> 0"), ("town", "0::int2", "true"), ("0::int2", "0::int2", "true"))


def _events_sql() -> str:
    return "\nUNION ALL\n".join(
        f"SELECT '{metric.value}'::text, src.user_id, src.town_id, src.area_id, "
        f"(src.at AT TIME ZONE '{TIME_ZONE}')::date, src.amount "
        f"FROM ({select}) AS src(user_id, town_id, area_id, at, amount) WHERE src.at IS NOT NULL"
        for metric, select in SOURCES
    )


def _by_period(keys: str, aggregate: str) -> tuple[str, str]:
    """GROUPING SETS over `keys` plus each kind of period start, and the matching (period, start, figure)."""
    sets = ", ".join(f"({keys}, {period.value}_start)" for period in Period)
    kinds = " ".join(f"WHEN GROUPING({period.value}_start) = 0 THEN '{period.value}'" for period in Period)
    starts = ", ".join(f"{period.value}_start" for period in Period)
    figures = " ".join(
        f"WHEN GROUPING({period.value}_start) = 0 THEN {aggregate.format(period=period.value)}" for period in Period
    )
    return (
        f"CASE {kinds} END AS period, coalesce({starts}) AS period_start, CASE {figures} END",
        f"GROUPING SETS ({sets})",
    )


def _participants_sql(town: str, area: str, condition: str) -> str:
    """Distinct people per cell and period at one level of the roll-up.

    Within a window of one person's events in one cell, in day order, the person enters a new period exactly
    where the period's start differs from the one of their previous event: one sort serves all kinds of period,
    and one pass with grouping sets counts them.
    """
    starts = ", ".join(
        f"c.{period.value}_start, lag(c.{period.value}_start) OVER o IS DISTINCT FROM c.{period.value}_start "
        f"AS new_{period.value}"
        for period in Period
    )
    select, grouping = _by_period("town, area", "count(*) FILTER (WHERE new_{period})::int")
    actions = ", ".join(f"'{metric.value}'" for metric in TOWN_ACTIONS)
    return f"""
    SELECT town, area, {select} AS people
    FROM (
        SELECT {town} AS town, {area} AS area, {starts}
        FROM tally_events AS e JOIN tally_calendar AS c ON c.day = e.day
        WHERE {condition} AND e.metric NOT IN ({actions})
        -- The person first: their UUIDs tell rows apart at once, where town and area numbers repeat.
        WINDOW o AS (PARTITION BY e.user_id, {town}, {area} ORDER BY e.day)
    ) AS f
    GROUP BY {grouping}
    """


def _amounts_sql() -> str:
    """What is counted is additive: per-day sums rolled up to every level and period in one pass."""
    parts = []
    for town, area, condition in _LEVELS:
        select, grouping = _by_period("metric", "sum(amount)")
        parts.append(
            f"SELECT metric, {town} AS town, {area} AS area, {select} AS amount "
            f"FROM tally_days JOIN tally_calendar USING (day) WHERE {condition} GROUP BY {town}, {area}, {grouping}"
        )
    return "\nUNION ALL\n".join(parts)


_STATEMENTS = (
    "CREATE TEMP TABLE tally_towns ON COMMIT DROP AS "
    "SELECT id, (row_number() OVER (ORDER BY id))::int2 AS k FROM towns",
    "CREATE TEMP TABLE tally_areas ON COMMIT DROP AS "
    "SELECT id, (row_number() OVER (ORDER BY id))::int2 AS k FROM strategy_areas",
    "CREATE TEMP TABLE tally_events (metric text, user_id uuid, town int2, area int2, day date, amount numeric) "
    "ON COMMIT DROP",
    f"""
    INSERT INTO tally_events
    SELECT e.metric, e.user_id, t.k, coalesce(a.k, 0), e.day, e.amount
    FROM ({_events_sql()}) AS e(metric, user_id, town_id, area_id, day, amount)
    JOIN tally_towns AS t ON t.id = e.town_id LEFT JOIN tally_areas AS a ON a.id = e.area_id
    """,
    # What is counted is additive: sum per day first, then per period.
    """
    CREATE TEMP TABLE tally_days ON COMMIT DROP AS
    SELECT metric, town, area, day, sum(amount) AS amount FROM tally_events GROUP BY 1, 2, 3, 4
    """,
    "CREATE TEMP TABLE tally_calendar ON COMMIT DROP AS SELECT day, "
    + ", ".join(f"date_trunc('{period.value}', day)::date AS {period.value}_start" for period in Period)
    + " FROM (SELECT DISTINCT day FROM tally_days) AS days",
    "ANALYZE tally_towns, tally_areas, tally_events, tally_days, tally_calendar",
    # People are not additive: count each person once per cell and period, at each level of the roll-up.
    "CREATE TEMP TABLE tally_people ON COMMIT DROP AS\n"
    + "\nUNION ALL\n".join(_participants_sql(*level) for level in _LEVELS),
    f"""
    CREATE TEMP TABLE tally_fresh ON COMMIT DROP AS
    SELECT coalesce(t.id, {_NONE}) AS town_id, coalesce(a.id, {_NONE}) AS area_id, f.period, f.period_start,
           f.metric, f.amount, f.people
    FROM (
        SELECT v.town, v.area, v.period, v.period_start, v.metric, v.amount, coalesce(p.people, 0) AS people
        FROM ({_amounts_sql()}) AS v
        LEFT JOIN tally_people AS p USING (town, area, period, period_start)
        UNION ALL
        SELECT town, area, period, period_start, '{Metric.PARTICIPANTS.value}', people, people FROM tally_people
    ) AS f
    LEFT JOIN tally_towns AS t ON t.k = f.town LEFT JOIN tally_areas AS a ON a.k = f.area
    """,
)

# Cells that no longer exist (their source rows are gone).
_DELETE_VANISHED = f"""
    DELETE FROM participation_tallies AS t
    WHERE NOT EXISTS (
        SELECT 1 FROM tally_fresh AS f
        WHERE f.town_id = coalesce(t.town_id, {_NONE}) AND f.area_id = coalesce(t.strategy_area_id, {_NONE})
          AND f.period = t.period AND f.period_start = t.period_start AND f.metric = t.metric
    )
    """

_UPSERT = f"""
    INSERT INTO participation_tallies (town_id, strategy_area_id, period, period_start, metric, value, people)
    SELECT nullif(town_id, {_NONE}), nullif(area_id, {_NONE}), period, period_start, metric, amount, people
    FROM tally_fresh
    ON CONFLICT ON CONSTRAINT uq_participation_tallies_cell DO UPDATE
    SET value = excluded.value, people = excluded.people
    WHERE (participation_tallies.value, participation_tallies.people)
        IS DISTINCT FROM (excluded.value, excluded.people)
"""

_DIGEST = """
    SELECT count(*), coalesce(md5(string_agg(
        concat_ws('|', town_id, strategy_area_id, period, period_start, metric, value, people), E'\\n'
        ORDER BY town_id NULLS FIRST, strategy_area_id NULLS FIRST, period, period_start, metric
    )), md5(''))
    FROM participation_tallies
"""

# One run at a time; a second one waits and then recomputes from what is committed by then.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('mitmachen.participation_tallies'))"


@dataclass(frozen=True)
class TallyResult:
    rows: int
    changed: int
    deleted: int
    digest: str


async def recompute(session: AsyncSession, *, requested_by: uuid.UUID | None = None) -> TallyResult:
    """Recompute every tally inside the session's transaction (the caller commits)."""
    started_at: datetime = (await session.execute(text("SELECT clock_timestamp()"))).scalar_one()
    await session.execute(text(_LOCK))
    # Sorting millions of events in memory is much faster than spilling them; JIT costs more than it saves here.
    await session.execute(text("SET LOCAL work_mem = '1GB'"))
    await session.execute(text("SET LOCAL jit = off"))
    for statement in _STATEMENTS:
        await session.execute(text(statement))
    deleted = _rowcount(await session.execute(text(_DELETE_VANISHED)))
    changed = _rowcount(await session.execute(text(_UPSERT)))
    rows, digest = (await session.execute(text(_DIGEST))).one()
    session.add(
        TallyRun(
            started_at=started_at,
            row_count=rows,
            changed_rows=changed + deleted,
            digest=digest,
            requested_by_id=requested_by,
        )
    )
    await session.flush()
    return TallyResult(rows=rows, changed=changed, deleted=deleted, digest=digest)


def _rowcount(result: Result[Any]) -> int:
    """Rows a DELETE or INSERT … ON CONFLICT changed."""
    return cast("CursorResult[Any]", result).rowcount
