"""Recompute every tally from the source tables: one consistent snapshot, read in parallel, written at once.

Each domain declares what it contributes as tally sources (`service/<domain>/tally_source.py`, collected in
`sources.py`); each source yields *events*: (person, town, strategy area, day, amount) of one metric. The statements
that read and roll them up are composed in `statements.py`; this module runs them. What is counted is
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
import re
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

from service.events.tallies import tallies_recomputed
from service.tallies.models import TallyRun
from service.tallies.statements import (
    AREA_KEYS,
    DELETE_VANISHED,
    DIGEST,
    FRESH,
    FRESH_CELLS,
    GATHER,
    LOCK,
    MARK_SUPPRESSED,
    MERGE,
    PUBLIC_DIGESTS,
    SHARE,
    SHARE_SETTINGS,
    SUPPRESS,
    TOWN_KEYS,
    WORK_SETTINGS,
)
from service.tallies.suppression import SUPPRESS_BELOW, Cell, suppress_cells

logger = logging.getLogger("mitmachen.tallies")

# What `pg_export_snapshot()` returns; the one name written into a statement, which PostgreSQL cannot parameterise.
_SNAPSHOT_NAME = re.compile(r"[0-9A-Fa-f]{1,16}(-[0-9A-Fa-f]{1,16}){1,2}")

# Shares read at once: one per core of the database server is what helps; each takes one more pooled connection.
PARTS = 2


def share_ranges(parts: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`parts` ranges of UUIDs of equal width: random (version 4) UUIDs fall into them in equal numbers."""
    bounds = [part * (1 << 128) // parts for part in range(parts + 1)]
    return [(uuid.UUID(int=low), uuid.UUID(int=high - 1)) for low, high in itertools.pairwise(bounds)]


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
    await session.execute(text(LOCK))
    for statement in (*WORK_SETTINGS, *GATHER):
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
        await target.copy_records_to_table("tally_towns", records=await keys.fetch(TOWN_KEYS))
        await target.copy_records_to_table("tally_areas", records=await keys.fetch(AREA_KEYS))
        shares = await asyncio.gather(
            *(_read_share(reader, *bounds) for reader, bounds in zip(readers, share_ranges(parts), strict=True))
        )
    read = time.perf_counter()
    for share in shares:
        await target.copy_to_table("tally_shares", source=_chunks(share), format="binary")
    fresh = await _written(target, FRESH)
    await _mark_suppressed(target)
    rolled_up = time.perf_counter()
    changed = await _written(target, MERGE)
    # After the merge every fresh cell has its row: any row beyond those is a cell that vanished. Counting is much
    # cheaper than looking for them, and usually there are none.
    deleted = 0
    if await target.fetchval("SELECT count(*) FROM participation_tallies") > fresh:
        deleted = await _written(target, DELETE_VANISHED)
    rows, digest = (await session.execute(text(DIGEST))).one()
    written = changed + deleted
    before: dict[str, str] = (
        await session.scalar(select(TallyRun.public_digests).order_by(TallyRun.finished_at.desc()).limit(1))
    ) or {}
    # Nothing written: the published figures are the last run's (unless that run predates their digests).
    after = {scope: (found, 0) for scope, found in before.items()}
    if written or not before:
        after = {scope: (found, figures) for scope, figures, found in await target.fetch(PUBLIC_DIGESTS)}
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
    for town, area, period, start, metric, amount, people in await connection.fetch(FRESH_CELLS):
        cell = (town, area, period, start, metric)
        values[cell] = amount
        if people < SUPPRESS_BELOW:
            small.add(cell)
    suppressed = await asyncio.to_thread(suppress_cells, values, small)
    for statement in MARK_SUPPRESSED:
        await connection.execute(statement)
    await connection.copy_records_to_table("tally_suppressed", records=sorted(suppressed))
    for statement in SUPPRESS:
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
            for statement in WORK_SETTINGS:
                await reader.exec_driver_sql(statement)
            if parallel:  # the shares are the parallelism; workers on top would only compete for the same cores
                await reader.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            for statement in SHARE_SETTINGS:
                await reader.exec_driver_sql(statement)
            yield reader
        finally:
            await reader.rollback()


def _literal(snapshot: str) -> str:
    """Snapshot names are hex digits and dashes (e.g. 00000003-0000001B-1); anything else is refused."""
    if _SNAPSHOT_NAME.fullmatch(snapshot) is None:
        raise ValueError(f"unexpected snapshot name {snapshot!r}")
    return f"'{snapshot}'"


async def _read_share(reader: AsyncConnection, low: uuid.UUID, high: uuid.UUID) -> list[bytes]:
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(chunk)

    connection = await _driver_connection(reader)
    await connection.copy_from_query(SHARE, low, high, output=keep, format="binary")
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
