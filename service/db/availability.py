"""Telling "the database does not answer" apart from every other failure.

A request that meets an unreachable database (refused or timed-out connection, a connection lost mid-request,
a server shutting down) gets 503 `SERVICE_UNAVAILABLE` with `Retry-After`, like `/readyz`, not an internal error:
nothing about the request was wrong, and trying again later is the right thing to do.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc as sa

# asyncpg's connection failures: InterfaceError ("connection is closed"), class 08 (connection exception, with
# ConnectionDoesNotExistError), 57P (operator intervention: shutdown, cannot connect now) and 53300.
_DRIVER_UNAVAILABLE: tuple[type[BaseException], ...] = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)
_MAX_CHAIN = 16
# SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back": a statement on a connection that
# an earlier statement of the same transaction found lost (another resolver of the same request, a later step of the
# same mutation). Not its session-level sibling (7s2a), which follows a failed flush of any kind.
_INVALIDATED_TRANSACTION = "8s2b"


def database_unavailable(error: BaseException | None) -> bool:
    """True when `error` (or what caused it) says the database cannot be reached or dropped the connection."""
    seen = 0
    while error is not None and seen < _MAX_CHAIN:
        seen += 1
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, sa.PendingRollbackError) and error.code == _INVALIDATED_TRANSACTION:
            return True
        if isinstance(error, (sa.DisconnectionError, sa.TimeoutError, *_DRIVER_UNAVAILABLE)):
            return True
        # Connecting: refused, reset, unreachable host, or no answer within the connect timeout.
        if isinstance(error, (OSError, TimeoutError)):
            return True
        original = getattr(error, "orig", None)
        error = original if isinstance(original, BaseException) else (error.__cause__ or error.__context__)
    return False
