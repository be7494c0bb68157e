"""Long-lived resources of one process: settings, database engine, Redis client, job sender."""

from __future__ import annotations

from dataclasses import dataclass

from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from service.config import Settings
from service.db.engine import create_engine, create_session_factory
from service.db.replicas import ReplicaSet
from service.kit.unit_of_work import UnitOfWork
from workers.queue import ArqJobSender, connect


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    job_sender: ArqJobSender
    replicas: ReplicaSet | None = None

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        engine = create_engine(settings)
        redis = connect(settings.require_redis_url())
        return cls(
            settings=settings,
            engine=engine,
            session_factory=create_session_factory(engine),
            redis=redis,
            job_sender=ArqJobSender(redis),
            replicas=ReplicaSet(settings) if settings.database_replica_urls else None,
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.job_sender)

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()
        if self.replicas is not None:
            await self.replicas.close()
