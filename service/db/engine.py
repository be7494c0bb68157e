"""Engine and session factory; every SQL statement is counted for /metrics and for statement-count tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy import URL, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from service.config import Settings
from service.kit.observability import SQL_STATEMENTS


@dataclass
class StatementCounter:
    count: int = 0


_statement_counter: ContextVar[StatementCounter | None] = ContextVar("statement_counter", default=None)


@contextmanager
def count_statements() -> Iterator[StatementCounter]:
    """Count the SQL statements executed by the current task (and the tasks it starts) inside the block."""
    counter = StatementCounter()
    token = _statement_counter.set(counter)
    try:
        yield counter
    finally:
        _statement_counter.reset(token)


def _on_statement(*_: Any) -> None:
    SQL_STATEMENTS.inc()
    counter = _statement_counter.get()
    if counter is not None:
        counter.count += 1


def _refuse_closed(dbapi_connection: Any, *_: Any) -> None:
    """On checkout from the pool: a connection the server has closed is replaced by a fresh one.

    asyncpg reads from every open connection, idle ones too, so a server restart, a failover or a terminated
    backend marks the connection closed as soon as the event loop sees it: asking costs no round trip, where
    SQLAlchemy's `pool_pre_ping` costs three (BEGIN, an empty query, ROLLBACK) on every checkout. A connection
    lost silently (no FIN) is not seen here; `pool_recycle` bounds its age, and the statement that meets it fails
    once and invalidates it.
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the database server closed this pooled connection")


def create_engine(settings: Settings, *, pool_size: int | None = None, url: URL | None = None) -> AsyncEngine:
    """The primary's engine, or with `url` a replica's (same pool size and checks)."""
    engine = create_async_engine(
        url or settings.async_database_url(),
        pool_size=pool_size or settings.database_pool_size,
        max_overflow=0,
        pool_recycle=1800,
        connect_args={"server_settings": {"application_name": "mitmachen"}, "timeout": 5},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _on_statement)
    # Raising DisconnectionError in "checkout" makes the pool discard the connection and take another.
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
