from __future__ import annotations

from mitmachen.granting import seed_demo_people
from service.config import Settings
from service.db.engine import create_engine, create_session_factory
from service.kit.jobs import DiscardingJobSender
from service.kit.unit_of_work import UnitOfWork
from service.towns.demo import seed_towns


async def seed(settings: Settings, *, demo_people_issuer: str | None = None) -> None:
    """Demo towns; with `demo_people_issuer` (development login only) also the demo people and their roles."""
    engine = create_engine(settings, pool_size=1)
    try:
        async with UnitOfWork(create_session_factory(engine), DiscardingJobSender()) as uow, uow.session() as s:
            await seed_towns(s)
            if demo_people_issuer is not None:
                await seed_demo_people(s, issuer=demo_people_issuer)
    finally:
        await engine.dispose()
