"""The `/graphql` endpoint: one unit of work per request, committed once after execution."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from cross_web import HTTPException
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.websockets import WebSocket
from strawberry import Schema
from strawberry.asgi import GraphQL
from strawberry.exceptions import StrawberryGraphQLError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema.context import Context
from schema.loaders import Loaders
from service.auth.tokens import TokenRejected
from service.auth.viewer import Viewer
from service.config import Settings
from service.jobs import JobSender
from service.logging import request_id_var
from service.unit_of_work import UnitOfWork

logger = logging.getLogger("mitmachen.graphql")

Authenticate = Callable[[Request, UnitOfWork], Awaitable[Viewer]]


class CsrfRejected(Exception):
    """A cookie-authenticated request that changes state came without the session's CSRF token."""


def _error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def _unauthenticated(reason: str) -> Response:
    challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    return _error_response(401, "UNAUTHENTICATED", f"Anmeldung ungültig: {reason}", {"WWW-Authenticate": challenge})


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: Schema,
        *,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        job_sender: JobSender,
        authenticate: Authenticate,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.is_dev else None, allow_queries_via_get=True)
        self.settings = settings
        self.session_factory = session_factory
        self.job_sender = job_sender
        self.authenticate = authenticate

    async def handle(self, request: Request) -> Response:
        uow = UnitOfWork(self.session_factory, self.job_sender)
        try:
            viewer = await self.authenticate(request, uow)
        except TokenRejected as rejected:
            await uow.close()
            return _unauthenticated(rejected.reason)
        except CsrfRejected:
            await uow.close()
            return _error_response(403, "FORBIDDEN", "CSRF-Token fehlt oder ist falsch.")
        context = Context(
            request=request,
            settings=self.settings,
            uow=uow,
            viewer=viewer,
            loaders=Loaders(uow, viewer),
            request_id=request_id_var.get() or "-",
        )
        request.state.graphql_context = context
        try:
            return await self.run(request, context=context)
        except HTTPException as error:
            return PlainTextResponse(error.reason, status_code=error.status_code)
        finally:
            await uow.close()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context: Context = request.state.graphql_context
        return context

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        context: Context = request.state.graphql_context
        try:
            await context.uow.commit()
        except SQLAlchemyError:
            logger.exception("commit failed")
            await context.uow.rollback()
            error = StrawberryGraphQLError(
                "Interner Fehler.",
                extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": context.request_id},
            )
            return {"data": None, "errors": [error.formatted]}
        return await super().process_result(request, result)
