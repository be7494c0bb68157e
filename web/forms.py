"""Form posts: the CSRF token every form carries as a hidden field, and the fields themselves."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

from web.api import PageFailure
from web.config import WebConfig

CSRF_FIELD = "csrf"


def csrf_token(request: Request, config: WebConfig) -> str:
    """The session's token (made at login); a visitor who is not logged in gets one for the session too."""
    session = request.scope.get("session")
    if session is None:
        return ""
    token = session.get(config.session_csrf_key)
    if not token:
        token = secrets.token_urlsafe(32)
        session[config.session_csrf_key] = token
    return str(token)


async def checked_form(request: Request, config: WebConfig) -> FormData:
    """The posted form, once its CSRF token matches the session's (else 403: nothing is done)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = (request.scope.get("session") or {}).get(config.session_csrf_key)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
        raise PageFailure(403, "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und senden Sie es erneut.")
    # The page may now read through the API in this request too (to show the form again with its errors).
    request.state.csrf_checked = True
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def same_site_path(value: str | None, default: str = "/") -> str:
    """A path on this site to return to: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
