from __future__ import annotations

from service.config import Settings
from service.db.engine import create_engine, create_session_factory
from service.jobs import DiscardingJobSender
from service.towns.demo import seed_towns
from service.unit_of_work import UnitOfWork


async def seed(settings: Settings) -> None:
    engine = create_engine(settings, pool_size=1)
    try:
        async with (
            UnitOfWork(create_session_factory(engine), DiscardingJobSender()) as uow,
            uow.session() as s,
        ):
            await seed_towns(s)
    finally:
        await engine.dispose()
