"""What SQLAlchemy raises after the server dropped a connection, produced for real on the suite's PostgreSQL: every
such error counts as "the database is unavailable" (503), and an ordinary failure's aftermath does not."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import ExecutionResult

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from schema.view import GraphQLView
from service.config import Settings
from service.db.availability import database_unavailable
from service.kit.jobs import DiscardingJobSender
from service.kit.unit_of_work import UnitOfWork
from service.users.models import User


async def _terminate(runtime: Runtime, victim: AsyncConnection) -> None:
    pid = (await victim.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with runtime.engine.connect() as other:
        assert (await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()


async def test_every_statement_after_the_connection_was_lost_counts_as_unavailable(runtime: Runtime) -> None:
    """One resolver meets the lost connection; the others of the same request, and a mutation's later steps,
    meet what SQLAlchemy raises for an invalidated transaction. All of them are the database being away."""
    async with runtime.engine.connect() as connection:
        await connection.begin()
        await _terminate(runtime, connection)
        with pytest.raises(sa_exc.DBAPIError) as first:
            await connection.execute(text("SELECT 1"))
        assert database_unavailable(first.value)
        for _ in range(2):
            with pytest.raises(sa_exc.PendingRollbackError) as later:
                await connection.execute(text("SELECT 1"))
            assert database_unavailable(later.value), repr(later.value)
        await connection.rollback()
        assert (await connection.execute(text("SELECT 1"))).scalar_one() == 1


async def test_the_aftermath_of_an_ordinary_failed_flush_is_not_unavailability(runtime: Runtime) -> None:
    taken = uuid.uuid4()
    async with runtime.engine.begin() as connection:
        await connection.execute(text("INSERT INTO users (id) VALUES (:id)"), {"id": taken})
    async with runtime.session_factory() as session:
        session.add(User(id=taken))
        with pytest.raises(sa_exc.IntegrityError) as failed:
            await session.flush()
        assert not database_unavailable(failed.value)
        with pytest.raises(sa_exc.PendingRollbackError) as later:
            await session.execute(text("SELECT 1"))
        assert not database_unavailable(later.value)


async def test_a_mutation_whose_transaction_lost_its_connection_unnoticed_answers_503_not_500(
    settings: Settings, runtime: Runtime
) -> None:
    """The commit finds the transaction invalidated by a statement whose failure reached no field (a resolver
    cancelled while it waited for PostgreSQL): the answer is 503 with `Retry-After`, as for any lost connection."""
    app = create_app(settings, runtime)
    async with app.router.lifespan_context(app):
        view: GraphQLView = app.state.graphql
        uow = UnitOfWork(runtime.session_factory, DiscardingJobSender())
        async with uow.session() as session:
            await _terminate(runtime, await session.connection())
            with pytest.raises(sa_exc.DBAPIError):
                await session.execute(text("SELECT 1"))
        request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": [], "state": {}})
        request.state.graphql_context = SimpleNamespace(uow=uow, operation_type="mutation", request_id="r1")
        request.state.graphql_sub_response = sub_response = Response()
        try:
            answer: Any = await view.process_result(request, ExecutionResult(data={"supportIdea": None}, errors=None))
        finally:
            await uow.close()

    assert sub_response.status_code == 503
    assert sub_response.headers["retry-after"]
    assert [error["extensions"]["code"] for error in answer["errors"]] == ["SERVICE_UNAVAILABLE"]
