"""The statements of the recompute (`compute.py`), composed from the domains' tally sources (`sources.py`).

The sources are SQLAlchemy selects over the domains' own models; here they become the events of one share (their
towns and areas keyed by small numbers, the metric by its number), compiled with their constants written out, so
that the planner sees the values it plans for, as in a statement written by hand. Everything else here works on the
tallies' own tables and the temporary tables of a run, and names no other domain's table.
"""

from __future__ import annotations

from sqlalchemy import SmallInteger, Uuid, cast, column, func, literal, select, table
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.sql import ClauseElement

from service.events.tallies import REGION
from service.kit.tally_source import TallySource
from service.tallies.models import Metric, Period
from service.tallies.sources import SOURCES
from service.towns.models import StrategyArea, Town

_DIALECT = PGDialect()  # type: ignore[no-untyped-call]  # the dialect class is not annotated


def compiled(statement: ClauseElement) -> str:
    """The statement as PostgreSQL reads it, its constants written out (none of them comes from a request)."""
    return str(statement.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


# The shares key towns, strategy areas and metrics by small numbers: sorting, hashing and moving millions of
# events is much cheaper on them than on UUIDs and text. Town and area 0 stand for "the region" and "all areas"
# (or none).
TOWN_KEYS = compiled(select(Town.id, cast(func.row_number().over(order_by=Town.id), SmallInteger).label("k")))
AREA_KEYS = compiled(
    select(StrategyArea.id, cast(func.row_number().over(order_by=StrategyArea.id), SmallInteger).label("k"))
)
_KEYS = f"towns_keyed AS MATERIALIZED ({TOWN_KEYS}), areas_keyed AS MATERIALIZED ({AREA_KEYS})"
_TOWNS_KEYED = table("towns_keyed", column("id", Uuid), column("k", SmallInteger))
_AREAS_KEYED = table("areas_keyed", column("id", Uuid), column("k", SmallInteger))

# Summed amounts are divided by the source's unit before they are stored (hours are summed in minutes).
_UNITS = {metric: source.unit for metric, source in SOURCES}

# What the town did with an idea counts the idea, but its author did nothing then: not a participant.
TOWN_ACTIONS = tuple(metric for metric, source in SOURCES if not source.participation)

_METRIC_KEYS = {metric: number for number, metric in enumerate(Metric, start=1)}

# The three levels of the roll-up: name, (town, area) expressions, which rows take part, and the partition of one
# person's events in one cell. Events without a strategy area (e.g. a survey for the whole town) count for the
# town and the region only.
_LEVELS = (
    ("area", "town", "area", "area <> 0", "user_id, town, area"),
    ("town", "town", "0::int2", "true", "user_id, town"),
    ("region", "0::int2", "0::int2", "true", "user_id"),
)
_FIRSTS = [f"{level}_{period.value}" for level, *_ in _LEVELS for period in Period]


def _keyed(metric: Metric, source: TallySource) -> str:
    """A source's events with the small keys: (metric, user_id, town, area, day, amount)."""
    events = source.events.subquery("src")
    return compiled(
        select(
            cast(literal(_METRIC_KEYS[metric]), SmallInteger).label("metric"),
            events.c.person.label("user_id"),
            _TOWNS_KEYED.c.k.label("town"),
            func.coalesce(_AREAS_KEYED.c.k, cast(literal(0), SmallInteger)).label("area"),
            events.c.day,
            events.c.amount,
        ).select_from(
            events.join(_TOWNS_KEYED, _TOWNS_KEYED.c.id == events.c.town_id).outerjoin(
                _AREAS_KEYED, _AREAS_KEYED.c.id == events.c.area_id
            )
        )
    )


def _events_sql(metrics: tuple[Metric, ...]) -> str:
    """Events of the given metrics (each source's day is never NULL: a source whose column may be empty filters it
    itself). The people are picked by the caller (`user_id BETWEEN $1 AND $2`)."""
    return "\nUNION ALL\n".join(_keyed(metric, source) for metric, source in SOURCES if metric in metrics)


# Zero UUID stands for "no town / all areas" where NULL cannot take part in a join.
_NONE = "'00000000-0000-0000-0000-000000000000'::uuid"


def _share_sql() -> str:
    """One share's figures for every cell and period, each metric in a column of its own (NULL: no events).

    First per metric, town, area and day: the sums, and how many people appear there for the first time in a
    period, at each level and kind of period. Within one person's events in one cell, in day order, the person
    enters a period exactly where the previous event lies before the period's start; so each person is marked once
    per cell and period, on the day of their first event in it, and the marks add up to distinct people. One sort
    by person, town, area and day serves all three levels: the coarser partitions only re-sort each person's few
    events (incremental sort). Then per day and (town, area) with the metrics side by side, and finally rolled up
    to every level and period.
    """
    actions = tuple(metric for metric in Metric if metric in TOWN_ACTIONS)
    people = tuple(metric for metric, _ in SOURCES if metric not in TOWN_ACTIONS)
    lags = ", ".join(f"lag(day) OVER {level} AS {level}_previous" for level, *_ in _LEVELS)
    # lag() does not look at the frame; a ROWS frame spares the executor finding each row's peers.
    windows = ", ".join(
        f"{level} AS (PARTITION BY {partition} ORDER BY day ROWS UNBOUNDED PRECEDING)"
        for level, *_, partition in _LEVELS
    )
    # Period starts of the days of a generous range come from a small table; any other day's are computed.
    calendar = (
        "SELECT day, "
        + ", ".join(f"date_trunc('{period.value}', day)::date AS {period.value}_start" for period in Period)
        + " FROM (SELECT '2000-01-01'::date + n FROM generate_series(0, 36889) AS n) AS days(day)"
    )
    starts = ", ".join(
        f"coalesce(c.{period.value}_start, date_trunc('{period.value}', day)::date) AS {period.value}_start"
        for period in Period
    )
    firsts = ", ".join(
        f"count(*) FILTER (WHERE {level}_previous IS NULL OR {level}_previous < {period.value}_start)::int4 "
        f"AS {level}_{period.value}"
        for level, *_ in _LEVELS
        for period in Period
    )
    by_metric = ", ".join(
        f"sum(amount) FILTER (WHERE metric = {_METRIC_KEYS[metric]}) AS {metric.value}" for metric, _ in SOURCES
    )
    rolled_up = []
    for level, town, area, condition, _ in _LEVELS:
        select, grouping = _by_period(f"{town}, {area}", f"sum({level}_{{period}})")
        rolled_up.append(
            f"SELECT {town} AS town, {area} AS area, {select}, "
            + ", ".join(f"sum({metric.value})::int8" for metric, _ in SOURCES)
            + f" FROM cell_days WHERE {condition} GROUP BY {grouping}"
        )
    return f"""
    WITH {_KEYS},
    calendar AS MATERIALIZED ({calendar}),
    days AS (
        SELECT metric, town, area, day, sum(amount)::int4 AS amount, {firsts}
        FROM (
            SELECT e.*, {starts}
            FROM (
                SELECT metric, town, area, day, amount, {lags}
                FROM ({_events_sql(people)}) AS events WHERE user_id BETWEEN $1 AND $2 WINDOW {windows}
            ) AS e LEFT JOIN calendar AS c USING (day)
        ) AS e
        GROUP BY metric, town, area, day
        UNION ALL
        SELECT metric, town, area, day, sum(amount)::int4, {", ".join("0" for _ in _FIRSTS)}
        FROM ({_events_sql(actions)}) AS events WHERE user_id BETWEEN $1 AND $2
        GROUP BY metric, town, area, day
    ),
    cell_days AS (
        SELECT d.*, {starts}
        FROM (
            SELECT town, area, day, {by_metric}, {", ".join(f"sum({first})::int4 AS {first}" for first in _FIRSTS)}
            FROM days GROUP BY town, area, day
        ) AS d LEFT JOIN calendar AS c USING (day)
    )
    {" UNION ALL ".join(rolled_up)}
    """


def _by_period(keys: str, aggregate: str) -> tuple[str, str]:
    """GROUPING SETS over `keys` plus each kind of period start, and the matching (period, period_start, people),
    people being `aggregate` for the set's kind of period."""
    sets = ", ".join(f"({keys}, {period.value}_start)" for period in Period)
    kinds = " ".join(f"WHEN GROUPING({period.value}_start) = 0 THEN '{period.value}'" for period in Period)
    starts = ", ".join(f"{period.value}_start" for period in Period)
    figures = " ".join(
        f"WHEN GROUPING({period.value}_start) = 0 THEN {aggregate.format(period=period.value)}" for period in Period
    )
    return (
        f"CASE {kinds} END AS period, coalesce({starts}) AS period_start, (CASE {figures} END)::int8 AS people",
        f"GROUPING SETS ({sets})",
    )


SHARE = _share_sql()
_SHARE_COLUMNS = ", ".join(f"{metric.value} int8" for metric, _ in SOURCES)

GATHER = (
    "CREATE TEMP TABLE tally_towns (id uuid, k int2) ON COMMIT DROP",
    "CREATE TEMP TABLE tally_areas (id uuid, k int2) ON COMMIT DROP",
    "CREATE TEMP TABLE tally_shares (town int2, area int2, period text, period_start date, people int8, "
    f"{_SHARE_COLUMNS}) ON COMMIT DROP",
)

# The shares' figures added up, one row per metric; a metric without events in a cell has no row there.
FRESH = f"""
    CREATE TEMP TABLE tally_fresh ON COMMIT DROP AS
    SELECT coalesce(t.id, {_NONE}) AS town_id, coalesce(a.id, {_NONE}) AS area_id, c.period, c.period_start,
           m.metric, m.amount::numeric(14, 2) AS amount, c.people::int4 AS people
    FROM (
        SELECT town, area, period, period_start, sum(people) AS people,
               {", ".join(f"sum({metric.value}) AS {metric.value}" for metric, _ in SOURCES)}
        FROM tally_shares GROUP BY town, area, period, period_start
    ) AS c
    CROSS JOIN LATERAL (VALUES {
    ", ".join(f"('{metric.value}', c.{metric.value}::numeric / {_UNITS[metric]})" for metric, _ in SOURCES)
}, ('{Metric.PARTICIPANTS.value}', nullif(c.people, 0)::numeric)) AS m(metric, amount)
    LEFT JOIN tally_towns AS t ON t.k = c.town LEFT JOIN tally_areas AS a ON a.k = c.area
    WHERE m.amount IS NOT NULL
"""

# Which figures open data leaves out is decided over the whole fresh table (`suppression.suppress_cells`), with
# towns and areas as their small keys (-1: the region, all areas), which number them in the order of their UUIDs.
FRESH_CELLS = """
    SELECT coalesce(t.k, -1), coalesce(a.k, -1), f.period, f.period_start, f.metric, f.amount, f.people
    FROM tally_fresh AS f LEFT JOIN tally_towns AS t ON t.id = f.town_id LEFT JOIN tally_areas AS a ON a.id = f.area_id
"""
MARK_SUPPRESSED = (
    "CREATE TEMP TABLE tally_suppressed (town int2, area int2, period text, period_start date, metric text) "
    "ON COMMIT DROP",
    "ALTER TABLE tally_fresh ADD COLUMN suppressed boolean NOT NULL DEFAULT false",
)
# Temporary tables have no statistics: without them the planner would join the few suppressed cells by nested loops.
SUPPRESS = (
    "ANALYZE tally_suppressed",
    f"""
    UPDATE tally_fresh AS f SET suppressed = true
    FROM tally_suppressed AS s LEFT JOIN tally_towns AS t ON t.k = s.town LEFT JOIN tally_areas AS a ON a.k = s.area
    WHERE f.town_id = coalesce(t.id, {_NONE}) AND f.area_id = coalesce(a.id, {_NONE}) AND f.period = s.period
      AND f.period_start = s.period_start AND f.metric = s.metric
    """,
)

_SAME_CELL = f"""
    f.town_id = coalesce(t.town_id, {_NONE}) AND f.area_id = coalesce(t.strategy_area_id, {_NONE})
    AND f.period = t.period AND f.period_start = t.period_start AND f.metric = t.metric"""

# Cells that no longer exist (their source rows are gone).
DELETE_VANISHED = (
    f"DELETE FROM participation_tallies AS t WHERE NOT EXISTS (SELECT 1 FROM tally_fresh AS f WHERE {_SAME_CELL})"
)

# Update what changed, insert what is new; rows that did not change are not touched.
MERGE = f"""
    MERGE INTO participation_tallies AS t
    USING tally_fresh AS f ON {_SAME_CELL}
    WHEN MATCHED AND (t.value, t.people, t.suppressed) IS DISTINCT FROM (f.amount, f.people, f.suppressed) THEN
        UPDATE SET value = f.amount, people = f.people, suppressed = f.suppressed
    WHEN NOT MATCHED THEN
        INSERT (town_id, strategy_area_id, period, period_start, metric, value, people, suppressed)
        VALUES (nullif(f.town_id, {_NONE}), nullif(f.area_id, {_NONE}), f.period, f.period_start, f.metric, f.amount,
                f.people, f.suppressed)
"""

DIGEST = """
    SELECT count(*), coalesce(md5(string_agg(
        concat_ws('|', town_id, strategy_area_id, period, period_start, metric, value, people, suppressed), E'\\n'
        ORDER BY town_id NULLS FIRST, strategy_area_id NULLS FIRST, period, period_start, metric
    )), md5(''))
    FROM participation_tallies
"""

# Per scope of open data (a town's id, or `region`): how many figures, and a digest of them as open data publishes
# them (a left-out figure only as left out), so a change inside left-out figures changes no digest.
PUBLIC_DIGESTS = f"""
    SELECT coalesce(town_id::text, '{REGION}'), count(*)::int4, encode(sha256(convert_to(string_agg(
        concat_ws('|', coalesce(strategy_area_id::text, ''), period, period_start, metric,
                  CASE WHEN suppressed THEN '' ELSE value::text END, suppressed::text), E'\\n'
        ORDER BY strategy_area_id NULLS FIRST, period COLLATE "C", period_start, metric COLLATE "C"
    ), 'UTF8')), 'hex')
    FROM participation_tallies GROUP BY town_id
"""

# One run at a time; a second one waits and then recomputes from what is committed by then.
LOCK = "SELECT pg_advisory_xact_lock(hashtext('mitmachen.participation_tallies'))"

# Sorting millions of events in memory is much faster than spilling them; JIT costs more than it saves here.
WORK_SETTINGS = ("SET LOCAL work_mem = '1GB'", "SET LOCAL jit = off")
# The planner cannot know how many days the calendar has (it is built in the query): it would sort a million
# events by day to merge them with it. A share reads about half of each table, which a plain scan does best.
SHARE_SETTINGS = ("SET LOCAL enable_mergejoin = off", "SET LOCAL enable_bitmapscan = off")
