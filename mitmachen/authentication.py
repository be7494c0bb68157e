"""Who is calling: a bearer access token, or the session cookie of the browser login, or nobody."""

from __future__ import annotations

import hmac
import uuid

from starlette.requests import Request

from schema.view import CsrfRejected
from service.auth.tokens import AccessTokenValidator, TokenRejected
from service.auth.viewer import ANONYMOUS, Viewer
from service.unit_of_work import UnitOfWork
from service.users import service as users

SESSION_USER = "user_id"
SESSION_CSRF = "csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_COOKIE = "mitmachen_csrf"


class Authenticator:
    def __init__(self, validator: AccessTokenValidator | None, *, roles_claim: str | None) -> None:
        self.validator = validator
        self.roles_claim = roles_claim

    async def __call__(self, request: Request, uow: UnitOfWork) -> Viewer:
        """Raises `TokenRejected` for a bad bearer token and `CsrfRejected` for a cookie POST without the token."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise TokenRejected("expected a Bearer token")
            if self.validator is None:
                raise TokenRejected("no identity provider configured")
            identity = await self.validator.validate(token.strip())
            async with uow.session() as session:
                return await users.viewer_for_identity(session, identity, roles_claim=self.roles_claim)
        session_data = request.scope.get("session") or {}
        user_id = session_data.get(SESSION_USER)
        if not user_id:
            return ANONYMOUS
        if request.method != "GET" and not hmac.compare_digest(
            request.headers.get(CSRF_HEADER, ""), str(session_data.get(SESSION_CSRF, ""))
        ):
            raise CsrfRejected
        async with uow.session() as session:
            viewer = await users.viewer_for_user_id(session, uuid.UUID(user_id), via_cookie=True)
        return viewer or ANONYMOUS
