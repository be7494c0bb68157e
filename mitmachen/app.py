"""The ASGI application: `/graphql`, health, readiness, metrics, open data and one's own data export."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from ipaddress import ip_address, ip_network
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from mitmachen.authentication import SESSION_CSRF, Authenticator
from mitmachen.data_export import data_export_routes
from mitmachen.dev_idp import dev_identity_provider
from mitmachen.dev_mail import dev_mail_routes
from mitmachen.login import SESSION_MAX_AGE_SECONDS, login_routes, secure_cookies, session_secret
from mitmachen.open_data import open_data_routes
from mitmachen.runtime import Runtime
from mitmachen.security import SecurityHeaders, add_cors
from schema.root import build_schema
from schema.view import GraphQLView
from service.auth.demo import DEMO_PEOPLE
from service.auth.tokens import AccessTokenValidator
from service.config import Settings
from service.kit.budget import QueryBudget, budget_limits
from service.kit.logging import request_id_var
from service.kit.observability import HTTP_REQUESTS, REGISTRY
from service.kit.ratelimit import Limits, RateLimiter
from web.app import web
from web.config import WebConfig
from workers.queue import queued_jobs

logger = logging.getLogger("mitmachen.http")

QUEUED_JOBS = Gauge("mitmachen_jobs_queued", "Jobs waiting in the queue (read at scrape time).", registry=REGISTRY)
READINESS_TIMEOUT_SECONDS = 2.0
MAX_BODY_BYTES = 100_000
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives every request an id (or keeps a sane incoming X-Request-ID) and counts it for /metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Labels from a bounded set only: each made-up path or method would be a series of its own.
            route = scope["path"] if scope["path"] in _KNOWN_PATHS else "other"
            method = scope["method"] if scope["method"] in _KNOWN_METHODS else "other"
            HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
            request_id_var.reset(token)


_KNOWN_PATHS = frozenset(
    {"/graphql", "/healthz", "/readyz", "/metrics", "/auth/login", "/auth/callback", "/auth/logout"}
)


_KNOWN_METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})


class MetricsAccess:
    """Who may read `/metrics`: clients in the `MITMACHEN_METRICS_ALLOW` networks. The client is the peer, or,
    behind a proxy listed in `MITMACHEN_TRUSTED_PROXIES`, the address that proxy forwards, as the proxy headers
    middleware has already made it (so the internet is not let in through a proxy on a private address)."""

    def __init__(self, settings: Settings) -> None:
        self.networks = [ip_network(entry, strict=False) for entry in settings.metrics_allow]

    def allows(self, request: Request) -> bool:
        try:
            address = ip_address(request.client.host if request.client else "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)


@dataclass(frozen=True)
class LoginClient:
    issuer: str
    client_id: str
    client_secret: str


DEV_CLIENT_ID = "mitmachen-dev"


def dev_issuer(settings: Settings) -> str:
    return f"{settings.public_url.rstrip('/')}/dev/idp"


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    """Build the app; `runtime` lets tests share one engine, otherwise the lifespan creates and closes it."""
    state: dict[str, Runtime] = {}
    issuers = list(settings.oidc_issuer)
    login: LoginClient | None = None
    if settings.oidc_client_id and settings.oidc_client_secret and issuers:
        login = LoginClient(issuers[0], settings.oidc_client_id, settings.oidc_client_secret)
    extra_routes: list[BaseRoute] = []
    if settings.is_dev:
        # The development login is an OpenID provider mounted in this app; its tokens take the same path as any.
        dev_secret = secrets.token_urlsafe(32)
        issuers.append(dev_issuer(settings))
        login = login or LoginClient(dev_issuer(settings), DEV_CLIENT_ID, dev_secret)
        extra_routes += dev_mail_routes(lambda: state["runtime"].session_factory)
        extra_routes.append(
            Mount(
                "/dev/idp",
                app=dev_identity_provider(
                    issuer=dev_issuer(settings),
                    audience=settings.oidc_audience,
                    client_id=DEV_CLIENT_ID,
                    client_secret=dev_secret,
                    key_path=settings.data_dir.resolve() / "dev-idp-key.json",
                    people=DEMO_PEOPLE,
                    environment_is_dev=True,
                ),
            )
        )
    browser_clients = {client for client in (settings.oidc_client_id, login and login.client_id) if client}
    validator = (
        AccessTokenValidator(issuers, settings.oidc_audience, browser_clients=browser_clients) if issuers else None
    )
    metrics_access = MetricsAccess(settings)
    authenticator = Authenticator(
        validator, roles_claim=settings.oidc_roles_claim, identity_key=settings.identity_key()
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = runtime is None
        state["runtime"] = runtime or Runtime.create(settings)
        app.state.graphql = GraphQLView(
            build_schema(),
            settings=settings,
            session_factory=state["runtime"].session_factory,
            job_sender=state["runtime"].job_sender,
            authenticate=authenticator,
            rate_limiter=RateLimiter(state["runtime"].redis, Limits.from_settings(settings)),
            query_budget=QueryBudget(state["runtime"].redis, budget_limits(settings)),
            replicas=state["runtime"].replicas,
        )
        try:
            yield
        finally:
            if validator is not None:
                await validator.aclose()
            if own:
                await state["runtime"].close()

    async def graphql(request: Request) -> Response:
        view: GraphQLView = request.app.state.graphql
        return await view.handle(request)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        current = state["runtime"]
        database, redis = await asyncio.gather(_check_database(current), _check_redis(current))
        ready = database == "ok" and redis == "ok"
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "database": database, "redis": redis},
            status_code=200 if ready else 503,
        )

    async def metrics(request: Request) -> Response:
        if not metrics_access.allows(request):
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            QUEUED_JOBS.set(await queued_jobs(state["runtime"].redis))
        except (RedisError, OSError, TimeoutError):
            QUEUED_JOBS.set(float("nan"))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *open_data_routes(lambda: state["runtime"].session_factory),
        *data_export_routes(lambda: state["runtime"], authenticator),
        *extra_routes,
    ]
    if login is not None:
        routes += login_routes(
            settings,
            lambda: state["runtime"].session_factory,
            issuer=login.issuer,
            client_id=login.client_id,
            client_secret=login.client_secret,
        )

    async def execute(request: Request, *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        view: GraphQLView = app.state.graphql  # the outer app's (`request.app` is the pages' own)
        return await view.execute_in_process(request, *args, **kwargs)

    pages = web(execute, web_config(settings, login))
    app = Starlette(routes=[*routes, *pages.routes], lifespan=lifespan, exception_handlers=pages.exception_handlers)
    _add_middleware(app, settings, login=login is not None)
    return app


def web_config(settings: Settings, login: LoginClient | None) -> WebConfig:
    """The pages may send a form on to the provider's logout page (a redirect after the logout form)."""
    origins = {urlsplit(issuer)._replace(path="", query="", fragment="").geturl() for issuer in settings.oidc_issuer}
    return WebConfig(
        login=login is not None,
        session_csrf_key=SESSION_CSRF,
        form_origins=tuple(sorted(origin for origin in origins if origin)),
    )


def _add_middleware(app: Starlette, settings: Settings, *, login: bool) -> None:
    if login:
        app.add_middleware(
            SessionMiddleware,
            secret_key=session_secret(settings),
            session_cookie="mitmachen_session",
            max_age=SESSION_MAX_AGE_SECONDS,
            same_site="lax",
            https_only=secure_cookies(settings),
        )
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    add_cors(app, settings)
    app.add_middleware(SecurityHeaders, production=settings.is_production)
    app.add_middleware(RequestContextMiddleware)
    if settings.trusted_proxies:
        # The one place forwarded headers are believed: from the configured proxies only, never from loopback as
        # such (`serve` and `dev` turn uvicorn's own handling off). The client address of the rate limits and the
        # access log is then the one the nearest untrusted hop names.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))


async def _check_database(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS), runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


async def _check_redis(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await runtime.redis.ping()
    except (RedisError, OSError, TimeoutError) as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413 before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await PlainTextResponse("Request body too large", status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await PlainTextResponse("Request body too large", status_code=413)(scope, receive, send)


class _TooLarge(Exception):
    pass
