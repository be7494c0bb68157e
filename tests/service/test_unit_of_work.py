from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from mitmachen.runtime import Runtime
from service.kit.jobs import Job
from service.kit.unit_of_work import UnitOfWork
from service.towns.models import Town
from workers.queue import queued_jobs


class Refused(Exception):
    pass


async def test_jobs_are_sent_after_commit(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        uow.after_commit(Job("system.heartbeat"))
        assert await queued_jobs(runtime.redis) == 0

    assert await queued_jobs(runtime.redis) == 1


async def _rename_soest_then_refuse(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        async with uow.session() as session:
            town = await session.scalar(select(Town).where(Town.slug == "soest"))
            assert town is not None
            town.name = "Umbenannt"
            await session.flush()
        uow.after_commit(Job("system.heartbeat"))
        raise Refused


async def test_jobs_are_dropped_on_rollback_and_nothing_is_written(runtime: Runtime) -> None:
    with pytest.raises(Refused):
        await _rename_soest_then_refuse(runtime)

    assert await queued_jobs(runtime.redis) == 0
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(Town.name).where(Town.slug == "soest")) == "Soest"


async def _delete_werl_then_refuse(uow: UnitOfWork) -> None:
    async with uow.savepoint() as session:
        await session.execute(delete(Town).where(Town.slug == "werl"))
        uow.after_commit(Job("system.sweep"))
        raise Refused


async def test_a_refused_savepoint_keeps_earlier_work_and_jobs(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        async with uow.savepoint() as session:
            await session.execute(update(Town).where(Town.slug == "olpe").values(name="Olpe (Biggesee)"))
            uow.after_commit(Job("system.heartbeat"))
        with pytest.raises(Refused):
            await _delete_werl_then_refuse(uow)

    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(Town.name).where(Town.slug == "olpe")) == "Olpe (Biggesee)"
        assert await session.scalar(select(func.count()).where(Town.slug == "werl")) == 1
    assert await runtime.redis.zcard("arq:queue") == 1


async def test_identical_wake_ups_in_one_unit_are_sent_once(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        uow.after_commit(Job("system.heartbeat"))
        uow.after_commit(Job("system.heartbeat"))

    assert await queued_jobs(runtime.redis) == 1


async def test_a_change_made_without_a_transaction_is_written_at_the_end(runtime: Runtime) -> None:
    async with runtime.unit_of_work() as uow:
        uow.reads_only()
        async with uow.session() as session:
            town = await session.scalar(select(Town).where(Town.slug == "soest"))
            assert town is not None
            town.name = "Soest (Börde)"
        uow.after_commit(Job("system.heartbeat"))

    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(Town.name).where(Town.slug == "soest")) == "Soest (Börde)"
    assert await queued_jobs(runtime.redis) == 1
