"""Browser login: authorization code flow with PKCE, state and nonce, then a session cookie."""

from __future__ import annotations

import contextlib
import hmac
import html
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from mitmachen.authentication import CSRF_COOKIE, CSRF_HEADER, SESSION_CSRF, SESSION_ID
from service.auth.sessions import end_session, start_session
from service.auth.tokens import Identity
from service.config import Environment, Settings
from service.kit.jobs import DiscardingJobSender
from service.kit.unit_of_work import UnitOfWork
from service.users import service as users

logger = logging.getLogger("mitmachen.login")
SESSION_MAX_AGE_SECONDS = 8 * 3600
LOGOUT_PAGE_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
LOGOUT_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Abmelden - Mitmachen</title></head>
<body><form method="post" action="/auth/logout">
<input type="hidden" name="csrf" value="{csrf}">
<button type="submit">Abmelden</button>
</form></body></html>
"""


async def _csrf_matches(request: Request, expected: str) -> bool:
    """The `X-CSRF-Token` header (scripts) or the `csrf` field of a form post (the logout page)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        sent = fields["csrf"][0] if fields.get("csrf") else None
    return bool(expected) and sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


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
            viewer = await users.viewer_for_identity(session, identity, identity_key=settings.identity_key())
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

    async def logout_page(request: Request) -> Response:
        """GET never ends the session (any site could send a browser here): a page with the logout button."""
        csrf = request.session.get(SESSION_CSRF)
        if request.session.get(SESSION_ID) is None or not csrf:
            return RedirectResponse("/", status_code=303)
        return HTMLResponse(
            LOGOUT_PAGE.format(csrf=html.escape(str(csrf), quote=True)),
            headers={"Content-Security-Policy": LOGOUT_PAGE_CSP, "Cache-Control": "no-store"},
        )

    async def logout(request: Request) -> Response:
        """POST with the session's CSRF token (header or form field): ends the session, then the provider's."""
        session_id = request.session.get(SESSION_ID)
        if session_id is not None and not await _csrf_matches(request, str(request.session.get(SESSION_CSRF, ""))):
            return JSONResponse(
                {"errors": [{"message": "CSRF-Token fehlt oder ist falsch.", "extensions": {"code": "FORBIDDEN"}}]},
                status_code=403,
            )
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
        Route("/auth/logout", logout_page, methods=["GET"]),
        Route("/auth/logout", logout, methods=["POST"]),
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
