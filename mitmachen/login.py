"""Browser login: authorization code flow with PKCE, state and nonce, then a session cookie."""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from mitmachen.authentication import CSRF_COOKIE, SESSION_CSRF, SESSION_ID
from service.auth.sessions import end_session, start_session
from service.auth.tokens import Identity
from service.config import Environment, Settings
from service.jobs import DiscardingJobSender
from service.unit_of_work import UnitOfWork
from service.users import service as users

logger = logging.getLogger("mitmachen.login")
SESSION_MAX_AGE_SECONDS = 8 * 3600


def _safe_next(value: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def login_routes(
    settings: Settings,
    session_factory: Callable[[], async_sessionmaker[AsyncSession]],
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
) -> list[Route]:
    oauth = OAuth()
    oauth.register(
        "idp",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )
    client: Any = oauth.create_client("idp")
    public_url = settings.public_url.rstrip("/")

    async def login(request: Request) -> Response:
        request.session["next"] = _safe_next(request.query_params.get("next"))
        redirect: Response = await client.authorize_redirect(request, f"{public_url}/auth/callback")
        return redirect

    async def callback(request: Request) -> Response:
        try:
            token = await client.authorize_access_token(request)
        except OAuthError as error:
            logger.info("login refused: %s", error.error)
            return JSONResponse({"error": "login_failed", "reason": error.error}, status_code=400)
        claims = dict(token["userinfo"])
        identity = Identity(issuer=str(claims["iss"]).rstrip("/"), subject=str(claims["sub"]), claims=claims)
        async with UnitOfWork(session_factory(), DiscardingJobSender()) as uow, uow.session() as session:
            viewer = await users.viewer_for_identity(session, identity)
            if viewer.user_id is None:
                return JSONResponse({"error": "login_failed", "reason": "account deleted"}, status_code=400)
            session_id = await start_session(
                session, user_id=viewer.user_id, lifetime=timedelta(seconds=SESSION_MAX_AGE_SECONDS)
            )
        target = _safe_next(request.session.pop("next", None))
        csrf = secrets.token_urlsafe(32)
        request.session.clear()
        request.session.update({SESSION_ID: str(session_id), SESSION_CSRF: csrf})
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            CSRF_COOKIE, csrf, max_age=SESSION_MAX_AGE_SECONDS, samesite="lax", secure=secure_cookies(settings)
        )
        return response

    async def logout(request: Request) -> Response:
        session_id = request.session.get(SESSION_ID)
        request.session.clear()
        if session_id is not None:
            with contextlib.suppress(ValueError):
                async with UnitOfWork(session_factory(), DiscardingJobSender()) as uow, uow.session() as session:
                    await end_session(session, session_id=uuid.UUID(str(session_id)))
        metadata = await client.load_server_metadata()
        response: Response
        if session_id is not None and metadata.get("end_session_endpoint"):
            response = await client.logout_redirect(
                request, post_logout_redirect_uri=f"{public_url}/", client_id=client_id
            )
        else:
            response = RedirectResponse("/", status_code=303)
        response.delete_cookie(CSRF_COOKIE)
        return response

    return [
        Route("/auth/login", login, methods=["GET"]),
        Route("/auth/callback", callback, methods=["GET"]),
        Route("/auth/logout", logout, methods=["GET", "POST"]),
    ]


def secure_cookies(settings: Settings) -> bool:
    """Both login cookies follow one rule: Secure in production, plain in dev and test."""
    return settings.environment is Environment.PRODUCTION


def session_secret(settings: Settings) -> str:
    """The configured secret; in dev and test a random one per process (sessions end with the process)."""
    if settings.session_secret:
        return settings.session_secret
    if settings.environment.value in {"dev", "test"}:
        return uuid.uuid4().hex + secrets.token_hex(16)
    raise RuntimeError("MITMACHEN_SESSION_SECRET is required for the browser login")
