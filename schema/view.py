"""The `/graphql` endpoint: one unit of work per request, committed once after execution."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

import orjson
from cross_web import HTTPException
from sqlalchemy.exc import PendingRollbackError, SQLAlchemyError
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
from schema.strawberry_internals import OperationType, QueryParams, refused_operation_type
from service.auth.tokens import TokenRejected
from service.auth.viewer import Viewer
from service.config import Settings
from service.db.availability import database_unavailable
from service.db.replicas import ReplicaSet
from service.kit.budget import QueryBudget
from service.kit.jobs import JobSender
from service.kit.logging import request_id_var
from service.kit.ratelimit import RateLimiter
from service.kit.unit_of_work import UnitOfWork

logger = logging.getLogger("mitmachen.graphql")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"


def _wants_graphql_response(accept: str) -> bool:
    """True when the client lists application/graphql-response+json before (or without) application/json."""
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if "application/graphql-response+json" not in kinds:
        return False
    return "application/json" not in kinds or kinds.index("application/graphql-response+json") < kinds.index(
        "application/json"
    )


class Authenticate(Protocol):
    """Who calls: `csrf_checked` says the caller (a page's form handler) has already checked the form's token."""

    def __call__(self, request: Request, uow: UnitOfWork, *, csrf_checked: bool = False) -> Awaitable[Viewer]: ...


class CsrfRejected(Exception):
    """A cookie-authenticated request that changes state came without the session's CSRF token."""


def _error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


def _unauthenticated(reason: str) -> Response:
    challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    return _error_response(401, "UNAUTHENTICATED", f"Anmeldung ungültig: {reason}", {"WWW-Authenticate": challenge})


def _internal_error(context: Context) -> GraphQLHTTPResponse:
    error = StrawberryGraphQLError(
        "Interner Fehler.", extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": context.request_id}
    )
    return {"data": None, "errors": [error.formatted]}


def _internal_errors(result: ExecutionResult) -> bool:
    """Whether a field failed unexpectedly (masked as an internal error by then)."""
    return any((error.extensions or {}).get("code") == "INTERNAL_SERVER_ERROR" for error in result.errors or ())


ADMISSION_TIMEOUT_SECONDS = 30.0
# Cookie-authenticated POSTs carry the value of this cookie (set at login, readable by scripts) in this header.
CSRF_COOKIE = "mitmachen_csrf"
CSRF_HEADER = "X-CSRF-Token"
# The body with its variables: far deeper than any input of the schema (a survey's answers are four levels down),
# far shallower than what would exhaust the recursion of the code that reads variables.
MAX_JSON_DEPTH = 32


class BadRequestBody(HTTPException):
    """A body (or GET parameter) that is JSON but not a request: 400 with a code and a German message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(400, message)
        self.code = code


def _nested_deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects in `value` nest more than `limit` levels deep (without recursion)."""
    level: list[object] = [value]
    for _ in range(limit):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return bool(level)


class Admission:
    """At most `limit` GraphQL requests of this process run at once; the others wait at the door, in arrival order,
    and one client (an address) runs at most `per_client` of them at once.

    A request holds one database connection from authentication to its commit, so with the limit at the pool
    size no admitted request waits for the pool (whose timeout would fail it half-way), and the event loop serves
    the requests that hold connections instead of hundreds that wait for one: each statement's turn comes sooner,
    connections and row locks are held for less time. A request that waits longer than `timeout` seconds is
    turned away with 503 before anything ran.

    Fairness: a free slot goes to the first waiter, in arrival order, whose client runs fewer than `per_client`
    requests; a client at its share waits while others pass it. `per_client` None: arrival order only.
    """

    def __init__(
        self, limit: int, *, timeout: float = ADMISSION_TIMEOUT_SECONDS, per_client: int | None = None
    ) -> None:
        self._free = limit
        self._per_client = per_client if per_client is not None else limit
        self._timeout = timeout
        self._running: dict[str, int] = {}
        self._waiting: deque[tuple[str, asyncio.Future[None]]] = deque()

    def _may_run(self, client: str) -> bool:
        return self._running.get(client, 0) < self._per_client

    def _take(self, client: str) -> None:
        self._free -= 1
        self._running[client] = self._running.get(client, 0) + 1

    async def enter(self, client: str = "") -> bool:
        """True once admitted (then `leave(client)` must follow), False after waiting `timeout` seconds in vain."""
        # While a slot is free every waiter is at its share (`_admit_waiting` saw to it): no one is passed over.
        if self._free > 0 and self._may_run(client):
            self._take(client)
            return True
        entry = (client, asyncio.get_running_loop().create_future())
        self._waiting.append(entry)
        try:
            async with asyncio.timeout(self._timeout):
                await entry[1]
        except TimeoutError:
            if entry[1].done() and not entry[1].cancelled():
                return True  # admitted in the same moment the time ran out
            self._waiting.remove(entry)
            return False
        except asyncio.CancelledError:
            if entry[1].done() and not entry[1].cancelled():
                self.leave(client)
            else:
                self._waiting.remove(entry)
            raise
        return True

    def leave(self, client: str = "") -> None:
        self._free += 1
        running = self._running[client] - 1
        if running:
            self._running[client] = running
        else:
            del self._running[client]
        self._admit_waiting()

    def _admit_waiting(self) -> None:
        for entry in list(self._waiting):
            if self._free == 0:
                return
            client, future = entry
            if future.done():
                continue  # cancelled, its request not yet resumed: it takes itself off the line
            if self._may_run(client):
                self._waiting.remove(entry)
                self._take(client)
                future.set_result(None)


def fair_share(limit: int) -> int:
    """The slots one client may hold: a quarter of them, rounded up (3 of the default 10)."""
    return -(-limit // 4)


RETRY_AFTER_UNAVAILABLE_SECONDS = 5
_UNAVAILABLE_MESSAGE = "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal."


def _unavailable_payload() -> GraphQLHTTPResponse:
    return {"errors": [{"message": _UNAVAILABLE_MESSAGE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}


def _unavailable() -> Response:
    """The database does not answer (as `/readyz` would say): 503, try again shortly; nothing was changed."""
    return Response(
        orjson.dumps(_unavailable_payload()),
        status_code=503,
        media_type=GRAPHQL_RESPONSE_JSON,
        headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_SECONDS)},
    )


def _busy() -> Response:
    return _error_response(
        503,
        "SERVICE_BUSY",
        "Gerade sind sehr viele Anfragen unterwegs. Bitte versuchen Sie es gleich noch einmal.",
        {"Retry-After": "5"},
    )


def _http_error(error: HTTPException) -> Response:
    """A request strawberry refused before running anything, answered as the contract says."""
    if refused_operation_type(error) is OperationType.MUTATION:
        # GraphQL over HTTP: a mutation over GET is a method error, and POST is the way.
        return PlainTextResponse(error.reason, status_code=405, headers={"Allow": "POST"})
    if isinstance(error, BadRequestBody):
        return _error_response(400, error.code, error.reason)
    return PlainTextResponse(error.reason, status_code=error.status_code)


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: Schema,
        *,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        job_sender: JobSender,
        authenticate: Authenticate,
        rate_limiter: RateLimiter,
        query_budget: QueryBudget | None = None,
        replicas: ReplicaSet | None = None,
    ) -> None:
        # The developer console is a page of its own (`/entwickler`, served from vendored files), not strawberry's.
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True)
        self.settings = settings
        self.rate_limiter = rate_limiter
        self.session_factory = session_factory
        self.job_sender = job_sender
        self.authenticate = authenticate
        self.query_budget = query_budget
        self.replicas = replicas
        pool = settings.database_pool_size
        self.admission = Admission(pool, per_client=fair_share(pool) if settings.fair_admission else None)

    async def handle(self, request: Request) -> Response:
        # The client is its address (behind a trusted proxy the forwarded one): known before anything is read,
        # and not chosen by the caller as a token or cookie would be.
        client = request.client.host if request.client else ""
        if not await self.admission.enter(client):
            return _busy()
        try:
            return await self._handle(request)
        finally:
            self.admission.leave(client)

    async def _viewer(self, request: Request, uow: UnitOfWork, *, csrf_checked: bool = False) -> Viewer | Response:
        """The caller, or the response that refuses them (closing `uow` then)."""
        try:
            return await self.authenticate(request, uow, csrf_checked=csrf_checked)
        except TokenRejected as rejected:
            await uow.close()
            return _unauthenticated(rejected.reason)
        except CsrfRejected:
            await uow.close()
            return _error_response(403, "FORBIDDEN", "CSRF-Token fehlt oder ist falsch.")
        except Exception as error:
            if not database_unavailable(error):
                raise
            logger.warning("database unavailable: %s", type(error).__name__)
            await _discard(uow)
            return _unavailable()

    async def _handle(self, request: Request) -> Response:
        uow = UnitOfWork(self.session_factory, self.job_sender)
        viewer = await self._viewer(request, uow)
        if isinstance(viewer, Response):
            return viewer
        context = self._context(request, uow, viewer)
        request.state.graphql_context = context
        try:
            return await self.run(request, context=context)
        except HTTPException as error:
            return _http_error(error)
        finally:
            # The context refers to the request: dropping it from the request's state breaks that cycle, so the
            # request's objects (loaders, rows, session) are freed when the request ends, not by a later
            # garbage collection.
            del request.state.graphql_context
            with contextlib.suppress(AttributeError):
                del request.state.graphql_sub_response
            await _discard(uow)

    async def execute_in_process(
        self,
        request: Request,
        document: str,
        variables: Mapping[str, object] | None = None,
        *,
        csrf_checked: bool = False,
    ) -> tuple[int, dict[str, Any]]:
        """Runs `document` for the caller of `request` exactly as `/graphql` would: the same door, viewer, limits,
        budgets, commit and errors; returns the HTTP status and the response body `/graphql` would send.

        This is how the pages (`web/`) read and write: they are clients of this API, in the same process.
        `csrf_checked`: the page has checked the CSRF token of its form (a form cannot send the header)."""
        client = request.client.host if request.client else ""
        if not await self.admission.enter(client):
            return 503, orjson.loads(_busy().body)
        uow = UnitOfWork(self.session_factory, self.job_sender)
        try:
            viewer = await self._viewer(request, uow, csrf_checked=csrf_checked)
            if isinstance(viewer, Response):
                return viewer.status_code, orjson.loads(viewer.body)
            context = self._context(request, uow, viewer)
            result = await self.schema.execute(document, variable_values=dict(variables or {}), context_value=context)
            failure = await self._settle(context, result)
            if failure is not None:
                return failure
            body: dict[str, Any] = {"data": result.data}
            if result.errors:
                body["errors"] = [error.formatted for error in result.errors]
            if result.extensions:
                body["extensions"] = result.extensions
            return 200, body
        finally:
            await _discard(uow)
            self.admission.leave(client)

    def _context(self, request: Request, uow: UnitOfWork, viewer: Viewer) -> Context:
        if self.replicas is not None and not viewer.is_authenticated:
            uow.may_read_from_replica(self.replicas.pick)
        return Context(
            request=request,
            settings=self.settings,
            uow=uow,
            viewer=viewer,
            loaders=Loaders(uow, viewer),
            request_id=request_id_var.get() or "-",
            rate_limiter=self.rate_limiter,
            client_address=request.client.host if request.client else None,
            query_budget=self.query_budget,
        )

    def parse_json(self, data: str | bytes) -> Any:
        # The body of a POST: an object (with `query`). A list is a batch, which this API does not run; anything
        # else would fail later as an internal error.
        value = self._json_object(data)
        if isinstance(value, list):
            raise BadRequestBody(
                "BATCHING_NOT_SUPPORTED", "Bitte eine Operation je Anfrage senden: Batching ist abgeschaltet."
            )
        return value

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        # A GET: its `variables` and `extensions` are JSON, each an object (a list is refused later by strawberry,
        # as it refuses one in a body).
        parsed: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            if parsed.get(name):
                parsed[name] = self._json_object(parsed[name])
        return parsed

    def _json_object(self, data: str | bytes) -> dict[str, Any] | list[Any]:
        value = super().parse_json(data)
        if not isinstance(value, dict | list):
            raise BadRequestBody("BAD_REQUEST", "Die Anfrage muss ein JSON-Objekt sein (mit `query`).")
        if _nested_deeper_than(value, MAX_JSON_DEPTH):
            raise BadRequestBody(
                "BAD_USER_INPUT", f"Die Variablen sind zu tief verschachtelt (höchstens {MAX_JSON_DEPTH} Ebenen)."
            )
        return value

    def decode_json(self, data: str | bytes) -> object:
        # orjson: several times faster than the standard library, and stricter where it matters here: a lone
        # surrogate (which no database text can hold) makes the body invalid JSON, a clear 400, instead of
        # failing in the database. Integers beyond 64 bits become floats, which no `Int` accepts.
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        # orjson: the answer is encoded in C, several times faster than the standard library for a page of nodes
        # (compact UTF-8, as before; non-ASCII characters are no longer escaped, which JSON does not require).
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        context: Context = request.state.graphql_context
        return context

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        # The media type chosen for the answer travels on the sub-response (which sets no header of its own).
        if sub_response.media_type is not None:
            response.headers["content-type"] = sub_response.media_type
        return response

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            if _wants_graphql_response(request.headers.get("accept", "")):
                sub_response.media_type = GRAPHQL_RESPONSE_JSON
            request.state.graphql_sub_response = sub_response
        return sub_response

    async def _settle(self, context: Context, result: ExecutionResult) -> tuple[int, dict[str, Any]] | None:
        """Commits the request's unit of work; None when that worked, else the status and body to answer with."""
        lost = next(
            (error.original_error for error in result.errors or () if database_unavailable(error.original_error)),
            None,
        )
        if lost is not None:
            # Nothing is committed: the mutations that ran before the connection was lost are rolled back with it.
            return self._unavailable_answer(lost)
        try:
            await context.uow.commit()
        except PendingRollbackError as error:
            await context.uow.rollback()
            if context.operation_type != "query":
                return self._unusable_mutation(context, result, error)
            # An error that nulls a parent makes graphql-core cancel the sibling resolvers; a query cancelled while
            # waiting for PostgreSQL leaves the transaction unusable. A query has nothing of its own to keep, so the
            # caller gets the answer with its errors, not an internal error.
            logger.warning("query transaction unusable after a cancelled resolver; rolled back")
        except SQLAlchemyError as error:
            if database_unavailable(error):
                return self._unavailable_answer(error)
            logger.exception("commit failed")
            await context.uow.rollback()
            return 200, dict(_internal_error(context))
        except (OSError, TimeoutError) as error:
            return self._unavailable_answer(error)
        return None

    def _unavailable_answer(self, error: BaseException) -> tuple[int, dict[str, Any]]:
        logger.warning("database unavailable: %s", type(error).__name__)
        return 503, dict(_unavailable_payload())

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        context: Context = request.state.graphql_context
        failure = await self._settle(context, result)
        if failure is not None:
            status, body = failure
            if status == 503:
                unavailable: Response = request.state.graphql_sub_response
                unavailable.status_code = 503
                unavailable.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE_SECONDS)
                unavailable.media_type = GRAPHQL_RESPONSE_JSON
            return body  # type: ignore[return-value]
        processed = await super().process_result(request, result)
        if result.data is None and result.errors and all(error.path is None for error in result.errors):
            # The request failed before execution (syntax, validation, limits): there is no `data` entry, and
            # with the GraphQL response media type the status says so (GraphQL over HTTP, 6.4.2).
            processed.pop("data", None)
            sub_response: Response = request.state.graphql_sub_response
            if sub_response.status_code is None and sub_response.media_type == GRAPHQL_RESPONSE_JSON:
                sub_response.status_code = 400
        return processed

    def _unusable_mutation(
        self, context: Context, result: ExecutionResult, error: PendingRollbackError
    ) -> tuple[int, dict[str, Any]]:
        """A mutation's transaction that cannot commit. When one of its statements found the connection lost and
        that error reached no field (say, a resolver cancelled while it waited), nothing is committed and trying
        again is right: 503. After an internal error of a field, that error is the answer."""
        if database_unavailable(error) and not _internal_errors(result):
            return self._unavailable_answer(error)
        logger.exception("commit failed")
        return 200, dict(_internal_error(context))


async def _discard(uow: UnitOfWork) -> None:
    """Close the unit of work (rolling back what was not committed); with the database gone that may fail too."""
    try:
        await uow.close()
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        if not database_unavailable(error):
            raise
