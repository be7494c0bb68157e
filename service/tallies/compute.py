"""Recompute every tally from the source tables: one consistent snapshot, read in parallel, written at once.

Each source table contributes *events*: (metric, person, town, strategy area, day, amount). What is counted is
additive: amounts are summed per day and then rolled up to every period at three levels, per town and strategy
area, per town, and for the region. People are not additive: a person counts once per cell and period, at each
level.

The events are split by person into `parts` shares, each read on a connection of its own (the database works on
the shares on as many cores) from one exported snapshot (`pg_export_snapshot`), so all shares see the same data.
A share's result is per day, and everything in it is additive across shares, because a person's events all fall
into one share. The session that called `recompute` gathers the shares, rolls them up and replaces the table's
content with upserts (rows that did not change are not touched) and a delete of cells that no longer exist.
Everything is written in the caller's transaction: a run that is killed half-way leaves the previous complete
snapshot in place, and readers never see a half-written one.

Only published contributions count (pending, held, rejected, hidden and withdrawn ones do not), like the live
counters. Before writing, the run decides which figures open data leaves out (`suppression.suppress_cells`: small
cells and those that would give them away) and stores that with each row.

Period boundaries are those of the local calendar (Europe/Berlin); weeks start on Monday (ISO 8601).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from service.events.tallies import REGION, tallies_recomputed
from service.tallies.models import Metric, Period, TallyRun
from service.tallies.suppression import SUPPRESS_BELOW, Cell, suppress_cells

logger = logging.getLogger("mitmachen.tallies")

TIME_ZONE = "Europe/Berlin"

# Shares read at once: one per core of the database server is what helps; each takes one more pooled connection.
PARTS = 2


def _day(column: str) -> str:
    return f"({column} AT TIME ZONE '{TIME_ZONE}')::date"


# The shares key towns, strategy areas and metrics by small numbers: sorting, hashing and moving millions of
# events is much cheaper on them than on UUIDs and text. Town and area 0 stand for "the region" and "all areas"
# (or none).
_TOWN_KEYS = "SELECT id, (row_number() OVER (ORDER BY id))::int2 AS k FROM towns"
_AREA_KEYS = "SELECT id, (row_number() OVER (ORDER BY id))::int2 AS k FROM strategy_areas"
_KEYS = f"towns_keyed AS MATERIALIZED ({_TOWN_KEYS}), areas_keyed AS MATERIALIZED ({_AREA_KEYS})"


def _keyed(alias: str) -> str:
    """Joins giving the town and area keys (`t.k`, `a.k`) of the rows of `alias` (with town_id, strategy_area_id)."""
    return (
        f"JOIN towns_keyed AS t ON t.id = {alias}.town_id LEFT JOIN areas_keyed AS a ON a.id = {alias}.strategy_area_id"
    )


# Published ideas with their keys, written out where used: the planner then knows the ideas' statistics (a CTE
# would hide them, and millions of supports would be hashed instead of the ideas). Tallies count only what the
# public sees, like the live counters: an idea counts while it is published (not pending or held, rejected,
# hidden or withdrawn), and so do the supports, comments and official answers it received.
_IDEAS_KEYED = (
    "(SELECT i.id, i.author_id, t.k AS town, coalesce(a.k, 0::int2) AS area, i.created_at, i.published_at "
    f"FROM ideas AS i {_keyed('i')} WHERE i.lifecycle = 'published')"
)

# An idea counts as accepted (implemented) on the day it first reached that official status.
_FIRST_STATUS = (
    "SELECT i.author_id, i.town, i.area, {day}, 1 "
    "FROM (SELECT idea_id, min(created_at) AS at FROM idea_official_answers WHERE status = '{status}' "
    "GROUP BY idea_id) AS a JOIN {ideas} AS i ON i.id = a.idea_id"
)

# (metric, SELECT yielding person, town key, area key, day, amount). Each domain adds its own source here.
SOURCES: list[tuple[Metric, str]] = [
    (Metric.IDEAS_SUBMITTED, f"SELECT author_id, town, area, {_day('created_at')}, 1 FROM {_IDEAS_KEYED} AS i"),
    (
        Metric.IDEAS_PUBLISHED,
        f"SELECT author_id, town, area, {_day('published_at')}, 1 "
        f"FROM {_IDEAS_KEYED} AS i WHERE published_at IS NOT NULL",
    ),
    (Metric.IDEAS_ACCEPTED, _FIRST_STATUS.format(day=_day("a.at"), status="accepted", ideas=_IDEAS_KEYED)),
    (Metric.IDEAS_IMPLEMENTED, _FIRST_STATUS.format(day=_day("a.at"), status="implemented", ideas=_IDEAS_KEYED)),
    (
        Metric.SUPPORTS,
        f"SELECT s.user_id, i.town, i.area, {_day('s.created_at')}, 1 "
        f"FROM idea_supports AS s JOIN {_IDEAS_KEYED} AS i ON i.id = s.idea_id",
    ),
    (
        Metric.COMMENTS,
        # Published comments, as `Idea.commentCount` counts them (held, hidden and rejected ones do not count).
        f"SELECT c.author_id, i.town, i.area, {_day('c.created_at')}, 1 "
        f"FROM comments AS c JOIN {_IDEAS_KEYED} AS i ON i.id = c.idea_id WHERE c.lifecycle = 'published'",
    ),
    (
        # Anonymous responses carry no person: each counts as a participant of its own. Matching them with the
        # people behind other contributions would be exactly the link that anonymous surveys rule out.
        Metric.SURVEY_RESPONSES,
        "SELECT coalesce(r.respondent_id, r.id), t.k, coalesce(a.k, 0::int2), r.submitted_on, 1 "
        f"FROM survey_responses AS r JOIN surveys AS s ON s.id = r.survey_id {_keyed('s')}",
    ),
    (
        # Sign-ups when made, waitlisted ones included; cancelled and expired ones no longer count.
        Metric.VOLUNTEER_SIGN_UPS,
        f"SELECT u.user_id, t.k, coalesce(a.k, 0::int2), {_day('u.queued_at')}, 1 "
        "FROM volunteer_sign_ups AS u JOIN volunteer_shifts AS s ON s.id = u.shift_id "
        f"JOIN volunteer_offers AS o ON o.id = s.offer_id {_keyed('o')} "
        "WHERE u.status NOT IN ('cancelled', 'expired')",
    ),
    (
        # Hours confirmed by the organisation, in the period of the shift's start; summed in minutes (exact
        # integers) and turned into hours at the end.
        Metric.VOLUNTEER_HOURS,
        f"SELECT u.user_id, t.k, coalesce(a.k, 0::int2), {_day('s.starts_at')}, u.attended_minutes "
        "FROM volunteer_sign_ups AS u JOIN volunteer_shifts AS s ON s.id = u.shift_id "
        f"JOIN volunteer_offers AS o ON o.id = s.offer_id {_keyed('o')} "
        "WHERE u.status = 'attended' AND u.attended_minutes IS NOT NULL",
    ),
]

# Summed amounts are divided by this before they are stored.
_UNITS = {Metric.VOLUNTEER_HOURS: 60}

# What the town did with an idea counts the idea, but its author did nothing then: not a participant.
TOWN_ACTIONS = (Metric.IDEAS_PUBLISHED, Metric.IDEAS_ACCEPTED, Metric.IDEAS_IMPLEMENTED)

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

# Zero UUID stands for "no town / all areas" where NULL cannot take part in a join.
_NONE = "'00000000-0000-0000-0000-000000000000'::uuid"


def _events_sql(metrics: tuple[Metric, ...]) -> str:
    """Events of the given metrics of the people whose UUID lies between `$1` and `$2`.

    Every source's time column is NOT NULL (a source whose column may be empty filters it itself).
    """
    return "\nUNION ALL\n".join(
        f"SELECT {_METRIC_KEYS[metric]}::int2 AS metric, src.* "
        f"FROM ({select}) AS src(user_id, town, area, day, amount) "
        "WHERE src.user_id BETWEEN $1 AND $2"
        for metric, select in SOURCES
        if metric in metrics
    )


def share_ranges(parts: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`parts` ranges of UUIDs of equal width: random (version 4) UUIDs fall into them in equal numbers."""
    bounds = [part * (1 << 128) // parts for part in range(parts + 1)]
    return [(uuid.UUID(int=low), uuid.UUID(int=high - 1)) for low, high in itertools.pairwise(bounds)]


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
                FROM ({_events_sql(people)}) AS events WINDOW {windows}
            ) AS e LEFT JOIN calendar AS c USING (day)
        ) AS e
        GROUP BY metric, town, area, day
        UNION ALL
        SELECT metric, town, area, day, sum(amount)::int4, {", ".join("0" for _ in _FIRSTS)}
        FROM ({_events_sql(actions)}) AS events
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


_SHARE = _share_sql()
_SHARE_COLUMNS = ", ".join(f"{metric.value} int8" for metric, _ in SOURCES)

_GATHER = (
    "CREATE TEMP TABLE tally_towns (id uuid, k int2) ON COMMIT DROP",
    "CREATE TEMP TABLE tally_areas (id uuid, k int2) ON COMMIT DROP",
    "CREATE TEMP TABLE tally_shares (town int2, area int2, period text, period_start date, people int8, "
    f"{_SHARE_COLUMNS}) ON COMMIT DROP",
)

# The shares' figures added up, one row per metric; a metric without events in a cell has no row there.
_FRESH = f"""
    CREATE TEMP TABLE tally_fresh ON COMMIT DROP AS
    SELECT coalesce(t.id, {_NONE}) AS town_id, coalesce(a.id, {_NONE}) AS area_id, c.period, c.period_start,
           m.metric, m.amount::numeric(14, 2) AS amount, c.people::int4 AS people
    FROM (
        SELECT town, area, period, period_start, sum(people) AS people,
               {", ".join(f"sum({metric.value}) AS {metric.value}" for metric, _ in SOURCES)}
        FROM tally_shares GROUP BY town, area, period, period_start
    ) AS c
    CROSS JOIN LATERAL (VALUES {
    ", ".join(f"('{metric.value}', c.{metric.value}::numeric / {_UNITS.get(metric, 1)})" for metric, _ in SOURCES)
}, ('{Metric.PARTICIPANTS.value}', nullif(c.people, 0)::numeric)) AS m(metric, amount)
    LEFT JOIN tally_towns AS t ON t.k = c.town LEFT JOIN tally_areas AS a ON a.k = c.area
    WHERE m.amount IS NOT NULL
"""

# Which figures open data leaves out is decided over the whole fresh table (`suppression.suppress_cells`), with
# towns and areas as their small keys (-1: the region, all areas), which number them in the order of their UUIDs.
_FRESH_CELLS = """
    SELECT coalesce(t.k, -1), coalesce(a.k, -1), f.period, f.period_start, f.metric, f.amount, f.people
    FROM tally_fresh AS f LEFT JOIN tally_towns AS t ON t.id = f.town_id LEFT JOIN tally_areas AS a ON a.id = f.area_id
"""
_MARK_SUPPRESSED = (
    "CREATE TEMP TABLE tally_suppressed (town int2, area int2, period text, period_start date, metric text) "
    "ON COMMIT DROP",
    "ALTER TABLE tally_fresh ADD COLUMN suppressed boolean NOT NULL DEFAULT false",
)
# Temporary tables have no statistics: without them the planner would join the few suppressed cells by nested loops.
_SUPPRESS = (
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
_DELETE_VANISHED = (
    f"DELETE FROM participation_tallies AS t WHERE NOT EXISTS (SELECT 1 FROM tally_fresh AS f WHERE {_SAME_CELL})"
)

# Update what changed, insert what is new; rows that did not change are not touched.
_MERGE = f"""
    MERGE INTO participation_tallies AS t
    USING tally_fresh AS f ON {_SAME_CELL}
    WHEN MATCHED AND (t.value, t.people, t.suppressed) IS DISTINCT FROM (f.amount, f.people, f.suppressed) THEN
        UPDATE SET value = f.amount, people = f.people, suppressed = f.suppressed
    WHEN NOT MATCHED THEN
        INSERT (town_id, strategy_area_id, period, period_start, metric, value, people, suppressed)
        VALUES (nullif(f.town_id, {_NONE}), nullif(f.area_id, {_NONE}), f.period, f.period_start, f.metric, f.amount,
                f.people, f.suppressed)
"""

_DIGEST = """
    SELECT count(*), coalesce(md5(string_agg(
        concat_ws('|', town_id, strategy_area_id, period, period_start, metric, value, people, suppressed), E'\\n'
        ORDER BY town_id NULLS FIRST, strategy_area_id NULLS FIRST, period, period_start, metric
    )), md5(''))
    FROM participation_tallies
"""

# Per scope of open data (a town's id, or `region`): how many figures, and a digest of them as open data publishes
# them (a left-out figure only as left out), so a change inside left-out figures changes no digest.
_PUBLIC_DIGESTS = f"""
    SELECT coalesce(town_id::text, '{REGION}'), count(*)::int4, encode(sha256(convert_to(string_agg(
        concat_ws('|', coalesce(strategy_area_id::text, ''), period, period_start, metric,
                  CASE WHEN suppressed THEN '' ELSE value::text END, suppressed::text), E'\\n'
        ORDER BY strategy_area_id NULLS FIRST, period COLLATE "C", period_start, metric COLLATE "C"
    ), 'UTF8')), 'hex')
    FROM participation_tallies GROUP BY town_id
"""

# One run at a time; a second one waits and then recomputes from what is committed by then.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('mitmachen.participation_tallies'))"

# Sorting millions of events in memory is much faster than spilling them; JIT costs more than it saves here.
_WORK_SETTINGS = ("SET LOCAL work_mem = '1GB'", "SET LOCAL jit = off")
# The planner cannot know how many days the calendar has (it is built in the query): it would sort a million
# events by day to merge them with it. A share reads about half of each table, which a plain scan does best.
_SHARE_SETTINGS = ("SET LOCAL enable_mergejoin = off", "SET LOCAL enable_bitmapscan = off")


@dataclass(frozen=True)
class TallyResult:
    rows: int
    changed: int
    deleted: int
    digest: str
    # `tallies.recomputed` events written: one per scope whose published figures changed.
    events: int = 0


async def recompute(session: AsyncSession, *, requested_by: uuid.UUID | None = None, parts: int = PARTS) -> TallyResult:
    """Recompute every tally; the writing happens inside the session's transaction (the caller commits).

    The sources are read on `parts` connections of their own, in a snapshot taken once the run holds its lock:
    what is committed then counts, and changes the session itself has not committed yet do not.
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    started_at: datetime = (await session.execute(text("SELECT clock_timestamp()"))).scalar_one()
    await session.execute(text(_LOCK))
    for statement in (*_WORK_SETTINGS, *_GATHER):
        await session.execute(text(statement))
    target = await _driver_connection(await session.connection())
    engine = _engine(session)
    clock = time.perf_counter()
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(_snapshot_reader(engine, None, parallel=parts > 1))
        snapshot = (await first.exec_driver_sql("SELECT pg_export_snapshot()")).scalar_one()
        readers = [first] + [
            await stack.enter_async_context(_snapshot_reader(engine, snapshot, parallel=True)) for _ in range(parts - 1)
        ]
        keys = await _driver_connection(first)
        await target.copy_records_to_table("tally_towns", records=await keys.fetch(_TOWN_KEYS))
        await target.copy_records_to_table("tally_areas", records=await keys.fetch(_AREA_KEYS))
        shares = await asyncio.gather(
            *(_read_share(reader, *bounds) for reader, bounds in zip(readers, share_ranges(parts), strict=True))
        )
    read = time.perf_counter()
    for share in shares:
        await target.copy_to_table("tally_shares", source=_chunks(share), format="binary")
    fresh = await _written(target, _FRESH)
    await _mark_suppressed(target)
    rolled_up = time.perf_counter()
    changed = await _written(target, _MERGE)
    # After the merge every fresh cell has its row: any row beyond those is a cell that vanished. Counting is much
    # cheaper than looking for them, and usually there are none.
    deleted = 0
    if await target.fetchval("SELECT count(*) FROM participation_tallies") > fresh:
        deleted = await _written(target, _DELETE_VANISHED)
    rows, digest = (await session.execute(text(_DIGEST))).one()
    written = changed + deleted
    before: dict[str, str] = (
        await session.scalar(select(TallyRun.public_digests).order_by(TallyRun.finished_at.desc()).limit(1))
    ) or {}
    # Nothing written: the published figures are the last run's (unless that run predates their digests).
    after = {scope: (found, 0) for scope, found in before.items()}
    if written or not before:
        after = {scope: (found, figures) for scope, figures, found in await target.fetch(_PUBLIC_DIGESTS)}
    logger.info(
        "tallies recomputed in %d shares: read %.2f s, rolled up %.2f s, written %.2f s; %d rows, %d changed",
        parts,
        read - clock,
        rolled_up - read,
        time.perf_counter() - rolled_up,
        rows,
        written,
    )
    run = TallyRun(
        id=uuid.uuid4(),
        started_at=started_at,
        # The clock, not the transaction's start: runs are ordered by it, and they follow each other on the lock.
        finished_at=func.clock_timestamp(),
        row_count=rows,
        changed_rows=written,
        digest=digest,
        requested_by_id=requested_by,
        public_digests={scope: found for scope, (found, _) in after.items()},
    )
    session.add(run)
    await session.flush()
    events = await tallies_recomputed(session, run.id, before, after)
    return TallyResult(rows=rows, changed=changed, deleted=deleted, digest=digest, events=events)


async def _mark_suppressed(connection: Any) -> None:
    """Decide which fresh figures open data leaves out: small cells and those that would give them away."""
    values: dict[Cell, Decimal] = {}
    small: set[Cell] = set()
    for town, area, period, start, metric, amount, people in await connection.fetch(_FRESH_CELLS):
        cell = (town, area, period, start, metric)
        values[cell] = amount
        if people < SUPPRESS_BELOW:
            small.add(cell)
    suppressed = await asyncio.to_thread(suppress_cells, values, small)
    for statement in _MARK_SUPPRESSED:
        await connection.execute(statement)
    await connection.copy_records_to_table("tally_suppressed", records=sorted(suppressed))
    for statement in _SUPPRESS:
        await connection.execute(statement)


def _engine(session: AsyncSession) -> AsyncEngine:
    bind = session.bind
    if not isinstance(bind, AsyncEngine):
        raise TypeError("recompute needs a session bound to an engine: it reads on connections of its own")
    return bind


@asynccontextmanager
async def _snapshot_reader(
    engine: AsyncEngine, snapshot: str | None, *, parallel: bool
) -> AsyncIterator[AsyncConnection]:
    """A read-only REPEATABLE READ transaction on a pooled connection, in `snapshot` if one is given."""
    async with engine.connect() as connection:
        reader = await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        await reader.begin()
        try:
            if snapshot is not None:
                await reader.exec_driver_sql(f"SET TRANSACTION SNAPSHOT {_literal(snapshot)}")
            for statement in _WORK_SETTINGS:
                await reader.exec_driver_sql(statement)
            if parallel:  # the shares are the parallelism; workers on top would only compete for the same cores
                await reader.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            for statement in _SHARE_SETTINGS:
                await reader.exec_driver_sql(statement)
            yield reader
        finally:
            await reader.rollback()


def _literal(snapshot: str) -> str:
    """Snapshot names are hex digits and dashes (e.g. 00000003-0000001B-1); anything else is refused."""
    if not snapshot or any(character not in "0123456789ABCDEFabcdef-" for character in snapshot):
        raise ValueError(f"unexpected snapshot name {snapshot!r}")
    return f"'{snapshot}'"


async def _read_share(reader: AsyncConnection, low: uuid.UUID, high: uuid.UUID) -> list[bytes]:
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(chunk)

    connection = await _driver_connection(reader)
    await connection.copy_from_query(_SHARE, low, high, output=keep, format="binary")
    return chunks


async def _chunks(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _driver_connection(connection: AsyncConnection) -> Any:
    """The asyncpg connection under a SQLAlchemy one, for COPY."""
    return (await connection.get_raw_connection()).driver_connection


async def _written(connection: Any, statement: str) -> int:
    """Rows a statement wrote, from its command tag (e.g. "MERGE 12", "SELECT 40")."""
    tag: str = await connection.execute(statement)
    return int(tag.rsplit(" ", 1)[1])
