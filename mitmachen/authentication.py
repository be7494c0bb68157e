"""Who is calling: a bearer access token, or the session cookie of the browser login, or nobody."""

from __future__ import annotations

import hmac
import uuid

from starlette.requests import Request

from schema.view import CSRF_COOKIE, CSRF_HEADER, CsrfRejected
from service.auth.sessions import viewer_for_session
from service.auth.tokens import AccessTokenValidator, TokenRejected
from service.auth.viewer import ANONYMOUS, Viewer
from service.kit.unit_of_work import UnitOfWork
from service.users import service as users

SESSION_ID = "sid"
SESSION_CSRF = "csrf"
__all__ = ["CSRF_COOKIE", "CSRF_HEADER", "SESSION_CSRF", "SESSION_ID", "Authenticator"]


class Authenticator:
    def __init__(
        self, validator: AccessTokenValidator | None, *, roles_claim: str | None, identity_key: bytes | None = None
    ) -> None:
        self.validator = validator
        self.roles_claim = roles_claim
        self.identity_key = identity_key

    async def __call__(self, request: Request, uow: UnitOfWork, *, csrf_checked: bool = False) -> Viewer:
        """Raises `TokenRejected` for a bad bearer token and `CsrfRejected` for a cookie POST without the token
        (unless `csrf_checked`: a page's form handler has checked the token its form carries).

        The person is looked up (and, on first sight, created) outside the request's transaction, on a connection
        that goes back to the pool right after: no connection is held while the request's budget and rate limits
        are counted in Redis."""
        header = request.headers.get("authorization")
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise TokenRejected("expected a Bearer token")
            if self.validator is None:
                raise TokenRejected("no identity provider configured")
            identity = await self.validator.validate(token.strip())
            async with uow.outside_transaction() as session:
                return await users.viewer_for_identity(
                    session, identity, roles_claim=self.roles_claim, identity_key=self.identity_key
                )
        session_data = request.scope.get("session") or {}
        session_id_value = session_data.get(SESSION_ID)
        if not session_id_value:
            return ANONYMOUS
        if (
            request.method != "GET"
            and not csrf_checked
            and not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), str(session_data.get(SESSION_CSRF, "")))
        ):
            raise CsrfRejected
        try:
            session_id = uuid.UUID(str(session_id_value))
        except ValueError:
            return ANONYMOUS
        async with uow.outside_transaction() as session:
            viewer = await viewer_for_session(session, session_id=session_id, identity_key=self.identity_key)
        return viewer or ANONYMOUS
