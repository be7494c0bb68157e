"""Streaming replicas for the reads of anonymous people (`MITMACHEN_DATABASE_REPLICA_URLS`).

Only a GraphQL query of a caller who is not logged in goes to a replica: the feed, towns, surveys, offers of a
region-wide launch are read by people who wrote nothing, and they see the region as of a moment ago at most. A
logged-in person reads from the primary throughout, so what they wrote is there on the next page without tracking
positions in the write-ahead log; the replicas take the anonymous bulk, which is where a burst is.

Each replica's lag is probed at most once a second (`pg_last_xact_replay_timestamp()`; none while it has replayed
all it received) and cached; a replica that lags beyond `MITMACHEN_DATABASE_REPLICA_MAX_LAG_SECONDS`, or did not
answer the probe, is skipped until a later probe finds it fit again. With no fit replica the primary answers.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import URL, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service.config import Settings
from service.db.engine import create_engine, create_session_factory

logger = logging.getLogger("mitmachen.replicas")

PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 1.0
LAG = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
)


@dataclass
class Replica:
    url: URL
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    fit: bool = False
    probed_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ReplicaSet:
    def __init__(self, settings: Settings) -> None:
        self.max_lag_seconds = settings.database_replica_max_lag_seconds
        self.replicas = [
            Replica(url, engine, create_session_factory(engine))
            for url in settings.async_replica_urls()
            for engine in (create_engine(settings, url=url),)
        ]
        self._turn = itertools.count()

    async def pick(self) -> async_sessionmaker[AsyncSession] | None:
        """A fit replica's sessions, in turn; None when none is fit (the caller reads from the primary)."""
        start = next(self._turn)
        for offset in range(len(self.replicas)):
            replica = self.replicas[(start + offset) % len(self.replicas)]
            if await self._fit(replica):
                return replica.session_factory
        return None

    async def _fit(self, replica: Replica) -> bool:
        if time.monotonic() - replica.probed_at < PROBE_INTERVAL_SECONDS or replica.lock.locked():
            return replica.fit  # a probe is recent, or one is on its way: its last answer stands
        async with replica.lock:
            replica.fit = await self._probe(replica)
            replica.probed_at = time.monotonic()
        return replica.fit

    async def _probe(self, replica: Replica) -> bool:
        where = replica.url.render_as_string(hide_password=True)
        try:
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), replica.engine.connect() as connection:
                lag = (await connection.execute(LAG)).scalar()
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            if replica.fit:
                logger.warning("replica %s skipped: %s", where, type(error).__name__)
            return False
        if lag is None:
            logger.warning("replica %s skipped: it is not in recovery (a primary?)", where)
            return False
        fit = float(lag) <= self.max_lag_seconds
        if replica.fit and not fit:
            logger.warning("replica %s skipped: %.1f s behind", where, float(lag))
        return fit

    async def close(self) -> None:
        for replica in self.replicas:
            await replica.engine.dispose()
