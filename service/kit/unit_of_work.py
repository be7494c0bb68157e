"""One unit of work per request or job: one session, one commit at the end, wake-ups sent after commit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.kit.jobs import Job, JobSender, pending_jobs


class UnitOfWork:
    """Owns the request's `AsyncSession`.

    GraphQL resolvers and dataloader batches run concurrently, and an `AsyncSession` must not be used by two
    tasks at once, so every use goes through `session()`, which holds a lock for the duration of the block.
    The session is opened lazily: a request that never touches the database never takes a connection.
    `savepoint()` wraps one mutation so that a refused mutation changes nothing while the others in the same
    document still commit.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], job_sender: JobSender) -> None:
        self._session_factory = session_factory
        self._job_sender = job_sender
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._reads_only = False
        self._autocommit = False
        self._replica: Callable[[], Awaitable[async_sessionmaker[AsyncSession] | None]] | None = None

    def may_read_from_replica(self, pick: Callable[[], Awaitable[async_sessionmaker[AsyncSession] | None]]) -> None:
        """If this unit of work turns out to only read (`reads_only`) before its session opens, the session is
        one of `pick()` (a replica's; None: the primary's). For callers who wrote nothing and need not see their
        own writes: see service/db/replicas.py."""
        self._replica = pick

    def reads_only(self) -> None:
        """From here on this unit of work only reads (a GraphQL query): a session opened later runs its
        statements without a transaction (autocommit), which saves the BEGIN and COMMIT round trips.

        At the default isolation level (read committed) every statement sees its own snapshot either way, so the
        answer does not change. A session that is already open keeps its transaction. A session without a
        transaction has nothing to commit at the end: `commit()` only flushes it.
        """
        self._reads_only = True

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._lock:
            if self._session is None and self._reads_only:
                replica = await self._replica() if self._replica is not None else None
                if replica is not None:
                    self._session = replica()
                session = self._open()
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                self._autocommit = True
            yield self._open()

    @asynccontextmanager
    async def outside_transaction(self) -> AsyncIterator[AsyncSession]:
        """A session of its own whose statements commit as they run (autocommit), closed after the block, so its
        connection goes back to the pool at once. For what a request does before its work (signing the caller
        in): the request then holds no connection while it waits for anything else (Redis: the query budget and
        the rate limits), and its own session starts a transaction only when its work begins."""
        session = self._session_factory()
        try:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session
        finally:
            await session.close()

    def _open(self) -> AsyncSession:
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    @asynccontextmanager
    async def savepoint(self, *, alone: bool = False) -> AsyncIterator[AsyncSession]:
        """Run a block in a savepoint; jobs requested inside it are dropped when it rolls back.

        `alone`: the block is the only change of this unit of work that must survive its failure (the one mutation
        of a document): it runs in the transaction itself, without the SAVEPOINT and RELEASE round trips, and a
        failure rolls back the whole transaction and drops every job. (Signing the caller in ran outside the
        transaction, see `outside_transaction`: a first-login row or a fresher "last seen" time stays.)
        """
        async with self.session() as session:
            jobs = pending_jobs(session)
            jobs_before = len(jobs)
            if alone:
                try:
                    yield session
                except BaseException:
                    jobs.clear()
                    await session.rollback()
                    raise
                return
            try:
                async with session.begin_nested():
                    yield session
            except BaseException:
                del jobs[jobs_before:]
                raise

    def after_commit(self, job: Job) -> None:
        pending_jobs(self._open()).append(job)

    async def commit(self) -> None:
        async with self._lock:
            jobs: list[Job] = []
            if self._session is not None:
                if self._autocommit:
                    # Every statement committed as it ran; the session's machinery for a commit would do nothing.
                    await self._session.flush()
                else:
                    await self._session.commit()
                jobs = pending_jobs(self._session)[:]
                pending_jobs(self._session).clear()
        if jobs:
            await self._job_sender.send(_unique(jobs))

    async def rollback(self) -> None:
        async with self._lock:
            if self._session is not None:
                pending_jobs(self._session).clear()
                await self._session.rollback()

    async def close(self) -> None:
        async with self._lock:
            if self._session is not None:
                await self._session.close()
                self._session = None
                self._autocommit = False

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                await self.commit()
            else:
                await self.rollback()
        finally:
            await self.close()


def _unique(jobs: list[Job]) -> list[Job]:
    return list(dict.fromkeys(jobs))
