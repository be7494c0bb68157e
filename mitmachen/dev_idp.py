"""A development OpenID Connect provider: log in locally as one of the demo people, no passwords.

Only `mitmachen dev` mounts it, and it refuses to be built unless told it runs in dev mode. Its tokens are
ordinary RS256 JWTs; the service validates them exactly like a production issuer's, fetching this provider's
discovery document and key set over HTTP. The signing key is kept as a JWK file so tokens survive restarts;
authorization codes live in memory and expire after a minute.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote_plus, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from service.auth.demo import DemoPerson

__all__ = ["dev_identity_provider"]

SIGNING_ALGORITHM = "RS256"
SCOPE = "openid profile email"
ACCESS_TOKEN_LIFETIME_SECONDS = 3600
ID_TOKEN_LIFETIME_SECONDS = 3600
CODE_LIFETIME_SECONDS = 60
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
MAX_FORM_BYTES = 64 * 1024
MAX_PARAMETER_LENGTH = 2048

_CODE_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_CODE_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PAGE_HEADERS = {
    **_NO_STORE,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self' http://127.0.0.1:* http://localhost:*"
    ),
}
_PUBLIC_JSON_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"}


def dev_identity_provider(
    *,
    issuer: str,
    audience: str,
    client_id: str,
    client_secret: str,
    key_path: Path,
    people: Sequence[DemoPerson],
    environment_is_dev: bool,
) -> Starlette:
    """The provider as an ASGI app, to be mounted so that it is reachable at `issuer`.

    Raises RuntimeError unless `environment_is_dev` is true: this provider logs anyone in as anyone.
    """
    if not environment_is_dev:
        raise RuntimeError("the development identity provider is only available in dev mode (`mitmachen dev`)")
    provider = _DevIdentityProvider(
        issuer=issuer,
        audience=audience,
        client_id=client_id,
        client_secret=client_secret,
        key=_load_or_create_signing_key(key_path),
        people=people,
    )
    return provider.app()


def _now() -> float:
    return time.time()


class _BadRequest(Exception):
    """A malformed or invalid request; `german` is shown on pages, `english` (ASCII) goes into OAuth errors."""

    def __init__(self, german: str, english: str = "invalid request") -> None:
        super().__init__(german)
        self.german = german
        self.english = english


class _TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class _AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str
    nonce: str | None
    code_challenge: str
    scope: str | None

    def hidden_fields(self) -> dict[str, str]:
        fields = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.nonce is not None:
            fields["nonce"] = self.nonce
        if self.scope is not None:
            fields["scope"] = self.scope
        return fields


@dataclass(frozen=True)
class _PendingCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    subject: str
    auth_time: int
    expires_at: float


class _DevIdentityProvider:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        client_id: str,
        client_secret: str,
        key: RSAKey,
        people: Sequence[DemoPerson],
    ) -> None:
        parts = urlsplit(issuer)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"issuer must be an absolute http(s) URL without query or fragment: {issuer!r}")
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must not be empty")
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = key
        self.people: dict[str, DemoPerson] = {}
        for person in people:
            if person.subject in self.people:
                raise ValueError(f"demo person {person.subject!r} is listed twice")
            self.people[person.subject] = person
        self.codes: dict[str, _PendingCode] = {}

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
                Route("/jwks", self.jwks, methods=["GET"]),
                Route("/authorize", self.authorize_page, methods=["GET"]),
                Route("/authorize", self.authorize, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/logout", self.logout, methods=["GET", "POST"]),
                Route("/token-for/{subject}", self.token_for, methods=["GET"]),
                Route("/", self.index, methods=["GET"]),
            ]
        )

    # --- metadata ------------------------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "subject_types_supported": ["public"],
            "scopes_supported": SCOPE.split(),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "name",
                "email",
                "email_verified",
            ],
            "authorization_response_iss_parameter_supported": True,
        }
        return JSONResponse(document, headers=_PUBLIC_JSON_HEADERS)

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]}, headers=_PUBLIC_JSON_HEADERS)

    # --- authorization endpoint ----------------------------------------------------------------------------

    async def authorize_page(self, request: Request) -> Response:
        try:
            authorization = self._authorization_request(_query_parameters(request))
        except _BadRequest as error:
            return _error_page(error.german)
        return _page("Entwicklungs-Anmeldung", self._login_form(authorization))

    async def authorize(self, request: Request) -> Response:
        try:
            form = await _read_form(request)
            authorization = self._authorization_request(form)
            person = self._chosen_person(form)
        except _BadRequest as error:
            return _error_page(error.german)

        now = _now()
        self._forget_expired_codes(now)
        code = secrets.token_urlsafe(32)
        self.codes[code] = _PendingCode(
            client_id=authorization.client_id,
            redirect_uri=authorization.redirect_uri,
            code_challenge=authorization.code_challenge,
            nonce=authorization.nonce,
            subject=person.subject,
            auth_time=int(now),
            expires_at=now + CODE_LIFETIME_SECONDS,
        )
        target = _with_query(
            authorization.redirect_uri, {"code": code, "state": authorization.state, "iss": self.issuer}
        )
        return RedirectResponse(target, status_code=303, headers=_NO_STORE)

    def _authorization_request(self, params: Mapping[str, list[str]]) -> _AuthorizationRequest:
        """Validates the parameters; the redirect_uri first, so nothing below can lead to an unchecked redirect."""
        redirect_uri = _required(params, "redirect_uri")
        problem = _loopback_uri_problem(redirect_uri)
        if problem is not None:
            raise _BadRequest(f"redirect_uri ist nicht erlaubt: {problem}")
        if _required(params, "client_id") != self.client_id:
            raise _BadRequest("Unbekannte client_id.")
        if _required(params, "response_type") != "code":
            raise _BadRequest("response_type muss »code« sein.")
        state = _required(params, "state")
        nonce = _single(params, "nonce")
        code_challenge = _required(params, "code_challenge")
        if _required(params, "code_challenge_method") != "S256":
            raise _BadRequest("code_challenge_method muss »S256« sein.")
        if not _CODE_CHALLENGE.fullmatch(code_challenge):
            raise _BadRequest("code_challenge ist kein S256-Wert (43 Zeichen Base64url).")
        scope = _single(params, "scope")
        if scope is not None and "openid" not in scope.split():
            raise _BadRequest("scope muss »openid« enthalten.")
        return _AuthorizationRequest(
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=nonce,
            code_challenge=code_challenge,
            scope=scope,
        )

    def _chosen_person(self, form: Mapping[str, list[str]]) -> DemoPerson:
        subject = _single(form, "subject")
        if subject is None:
            raise _BadRequest("Es wurde keine Demo-Person gewählt.")
        person = self.people.get(subject)
        if person is None:
            raise _BadRequest(f"Unbekannte Demo-Person: {subject}")
        return person

    def _login_form(self, authorization: _AuthorizationRequest) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
            for name, value in authorization.hidden_fields().items()
        )
        people = "".join(
            "<li>"
            f'<button type="submit" name="subject" value="{escape(person.subject)}">'
            f'<span class="name">{escape(person.name)}</span>'
            f'<span class="description">{escape(person.description)}</span>'
            "</button>"
            f'<a class="token-link" href="token-for/{escape(quote(person.subject, safe=""))}">'
            "Token für GraphiQL anzeigen</a>"
            "</li>"
            for person in self.people.values()
        )
        if not people:
            people = "<li>Es sind keine Demo-Personen eingerichtet.</li>"
        return (
            "<h1>Entwicklungs-Anmeldung — nur im Entwicklungsmodus</h1>"
            '<p class="warning">Diese Anmeldung gibt es nur in <code>mitmachen dev</code>. '
            "Wer hier eine Demo-Person wählt, ist ohne Passwort als diese Person angemeldet.</p>"
            f"<p>Anmeldung für <code>{escape(authorization.client_id)}</code>, "
            f"danach zurück zu <code>{escape(authorization.redirect_uri)}</code>.</p>"
            f'<form method="post" action="authorize">{hidden}<ul class="people">{people}</ul></form>'
        )

    def _forget_expired_codes(self, now: float) -> None:
        for code in [code for code, pending in self.codes.items() if pending.expires_at <= now]:
            del self.codes[code]

    # --- token endpoint ------------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        try:
            pending = await self._exchange(request)
        except _TokenError as error:
            headers = dict(_NO_STORE)
            if error.status == 401:
                headers["WWW-Authenticate"] = 'Basic realm="mitmachen-dev-idp"'
            return JSONResponse(
                {"error": error.error, "error_description": error.description},
                status_code=error.status,
                headers=headers,
            )

        person = self.people[pending.subject]
        now = int(_now())
        id_claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": person.subject,
            "aud": pending.client_id,
            "name": person.name,
            "email": person.email,
            "email_verified": True,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME_SECONDS,
            "auth_time": pending.auth_time,
        }
        if pending.nonce is not None:
            id_claims["nonce"] = pending.nonce
        body = {
            "access_token": self.access_token(person.subject, now=now),
            "id_token": self._sign("JWT", id_claims),
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_SECONDS,
            "scope": SCOPE,
        }
        return JSONResponse(body, headers=_NO_STORE)

    async def _exchange(self, request: Request) -> _PendingCode:
        try:
            form = await _read_form(request)
        except _BadRequest as error:
            raise _TokenError("invalid_request", error.english) from None
        client_id = self._authenticate_client(request, form)
        grant_type = _single_for_token(form, "grant_type")
        if grant_type is None:
            raise _TokenError("invalid_request", "grant_type is missing")
        if grant_type != "authorization_code":
            raise _TokenError("unsupported_grant_type", "only authorization_code is supported")
        return self._redeem_code(form, client_id)

    def _authenticate_client(self, request: Request, form: Mapping[str, list[str]]) -> str:
        """client_secret_basic or client_secret_post (exactly one of them); returns the client id."""
        authorization = request.headers.get("authorization")
        form_client_id = _single_for_token(form, "client_id")
        form_secret = _single_for_token(form, "client_secret")
        if authorization is not None:
            if form_secret is not None:
                raise _TokenError("invalid_request", "use exactly one client authentication method")
            candidates = _basic_credentials(authorization)
            if form_client_id is not None and all(client_id != form_client_id for client_id, _ in candidates):
                raise _TokenError("invalid_client", "client_id does not match the authenticated client", 401)
        elif form_client_id is not None and form_secret is not None:
            candidates = [(form_client_id, form_secret)]
        else:
            raise _TokenError("invalid_client", "client authentication is required", 401)
        for client_id, secret in candidates:
            # `&`, not `and`: both comparisons always run
            if _equal(client_id, self.client_id) & _equal(secret, self.client_secret):
                return self.client_id
        raise _TokenError("invalid_client", "client authentication failed", 401)

    def _redeem_code(self, form: Mapping[str, list[str]], client_id: str) -> _PendingCode:
        code = _single_for_token(form, "code")
        redirect_uri = _single_for_token(form, "redirect_uri")
        verifier = _single_for_token(form, "code_verifier")
        if code is None or redirect_uri is None or verifier is None:
            raise _TokenError("invalid_request", "code, redirect_uri and code_verifier are required")
        # Popped before any check: a code is spent by the first attempt to redeem it, successful or not.
        pending = self.codes.pop(code, None)
        if pending is None or pending.expires_at <= _now():
            raise _TokenError("invalid_grant", "unknown, expired or already used authorization code")
        if pending.client_id != client_id:
            raise _TokenError("invalid_grant", "the code was issued to another client")
        if pending.redirect_uri != redirect_uri:
            raise _TokenError("invalid_grant", "redirect_uri differs from the authorization request")
        if not _CODE_VERIFIER.fullmatch(verifier) or not _equal(_s256(verifier), pending.code_challenge):
            raise _TokenError("invalid_grant", "PKCE verification failed")
        if pending.subject not in self.people:
            raise _TokenError("invalid_grant", "unknown demo person")
        return pending

    def access_token(self, subject: str, *, now: int | None = None) -> str:
        issued_at = int(_now()) if now is None else now
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "client_id": self.client_id,
            "scope": SCOPE,
            "iat": issued_at,
            "nbf": issued_at,
            "exp": issued_at + ACCESS_TOKEN_LIFETIME_SECONDS,
            "jti": secrets.token_urlsafe(16),
        }
        return self._sign("at+jwt", claims)

    def _sign(self, token_type: str, claims: dict[str, Any]) -> str:
        header = {"alg": SIGNING_ALGORITHM, "typ": token_type, "kid": self.key.kid}
        return jwt.encode(header, claims, self.key, algorithms=[SIGNING_ALGORITHM])

    # --- logout and the developer page ---------------------------------------------------------------------

    async def logout(self, request: Request) -> Response:
        try:
            params = await _read_form(request) if request.method == "POST" else _query_parameters(request)
            target = _logout_target(params)
        except _BadRequest as error:
            return _error_page(error.german, title="Abmeldung nicht möglich")
        if target is not None:
            return RedirectResponse(target, status_code=303, headers=_NO_STORE)
        return _page(
            "Abgemeldet",
            "<h1>Abgemeldet</h1><p>Die Entwicklungs-Anmeldung ist beendet. Dieses Fenster kann geschlossen werden.</p>",
        )

    def _people_list(self) -> str:
        """The demo people with who they are and links to their tokens (HTML)."""
        items = "".join(
            "<li>"
            f'<span class="name">{escape(person.name)}</span>'
            f'<span class="description">{escape(person.description)} · <code>{escape(person.subject)}</code> · '
            f"{escape(person.email)}</span>"
            f'<a class="token-link" href="{escape(self.issuer)}/token-for/{escape(quote(person.subject, safe=""))}">'
            "Token anzeigen</a>"
            "</li>"
            for person in self.people.values()
        )
        return f'<ul class="people">{items or "<li>Es sind keine Demo-Personen eingerichtet.</li>"}</ul>'

    async def index(self, request: Request) -> Response:
        return _page(
            "Entwicklungs-Anmeldung",
            "<h1>Entwicklungs-Anmeldung — nur im Entwicklungsmodus</h1>"
            '<p class="warning">Diese Anmeldung gibt es nur in <code>mitmachen dev</code>: '
            "wer eine Demo-Person wählt, ist ohne Passwort als diese Person angemeldet.</p>"
            '<p>Im Browser anmelden: <a href="/auth/login">/auth/login</a>. '
            "Für GraphiQL oder Skripte: das Token einer Person (als JSON mit "
            "<code>Accept: application/json</code>).</p>"
            f"<h2>Demo-Personen</h2>{self._people_list()}",
        )

    async def token_for(self, request: Request) -> Response:
        subject = request.path_params["subject"]
        person = self.people.get(subject)
        wants_json = _prefers_json(request)
        if person is None:
            if wants_json:
                return JSONResponse(
                    {"error": "unknown_subject", "subject": subject, "subjects": list(self.people)},
                    status_code=404,
                    headers=_NO_STORE,
                )
            return _page(
                "Unbekannte Demo-Person",
                "<h1>Unbekannte Demo-Person</h1>"
                f'<p class="error">Eine Demo-Person <code>{escape(subject)}</code> gibt es nicht. '
                f"Diese gibt es:</p>{self._people_list()}",
                status_code=404,
            )
        token = self.access_token(person.subject)
        if wants_json:
            return JSONResponse(
                {
                    "subject": person.subject,
                    "name": person.name,
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": ACCESS_TOKEN_LIFETIME_SECONDS,
                },
                headers=_NO_STORE,
            )
        return _page(
            f"Token für {person.name}",
            f"<h1>Zugangstoken für {escape(person.name)}</h1>"
            '<p class="warning">Nur für die Entwicklung. '
            f"Das Token ist {ACCESS_TOKEN_LIFETIME_SECONDS // 60} Minuten gültig.</p>"
            "<p>In GraphiQL unter <em>Headers</em> als "
            "<code>{&quot;Authorization&quot;: &quot;Bearer …&quot;}</code> eintragen:</p>"
            f'<textarea readonly rows="8" spellcheck="false" aria-label="Zugangstoken">{escape(token)}</textarea>',
        )


def _prefers_json(request: Request) -> bool:
    """Scripts ask with `Accept: application/json`; browsers list text/html first."""
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


# --- helpers -------------------------------------------------------------------------------------------------


def _load_or_create_signing_key(path: Path) -> RSAKey:
    if not path.exists():
        _create_key_file(path)
    try:
        key = RSAKey.import_key(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, JoseError) as error:
        raise RuntimeError(f"cannot read the development signing key {path}: {error}") from error
    if not key.is_private or not key.kid:
        raise RuntimeError(f"the development signing key {path} must be a private RSA JWK with a kid")
    return key


def _create_key_file(path: Path) -> None:
    """Writes a new key with mode 0600; if another process got there first, its key is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = RSAKey.generate_key(
        2048,
        parameters={"kid": f"dev-{secrets.token_hex(8)}", "alg": SIGNING_ALGORITHM, "use": "sig"},
        private=True,
    )
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(key.as_dict(private=True), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process created it meanwhile: keep theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _logout_target(params: Mapping[str, list[str]]) -> str | None:
    """Where to send the browser after logout (with its state), or None to show the "Abgemeldet" page."""
    target = _single(params, "post_logout_redirect_uri")
    state = _single(params, "state")
    if target is None:
        return None
    problem = _loopback_uri_problem(target)
    if problem is not None:
        raise _BadRequest(f"post_logout_redirect_uri ist nicht erlaubt: {problem}")
    return _with_query(target, {"state": state}) if state is not None else target


def _query_parameters(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


async def _read_form(request: Request) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise _BadRequest(
            "Das Formular muss als application/x-www-form-urlencoded gesendet werden.",
            "the body must be application/x-www-form-urlencoded",
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise _BadRequest("Die Anfrage ist zu groß.", "request body too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadRequest("Die Anfrage ist nicht UTF-8-kodiert.", "request body is not UTF-8") from None
    return parse_qs(text, keep_blank_values=True, max_num_fields=100)


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    """One parameter value; an empty value counts as absent (RFC 6749 §3.1), a repeated one is an error."""
    values = params.get(name, [])
    if len(values) > 1:
        raise _BadRequest(f"Der Parameter {name} ist mehrfach angegeben.", f"{name} is repeated")
    if not values or values[0] == "":
        return None
    if len(values[0]) > MAX_PARAMETER_LENGTH:
        raise _BadRequest(f"Der Parameter {name} ist zu lang.", f"{name} is too long")
    return values[0]


def _required(params: Mapping[str, list[str]], name: str) -> str:
    value = _single(params, name)
    if value is None:
        raise _BadRequest(f"Der Parameter {name} fehlt.", f"{name} is missing")
    return value


def _single_for_token(params: Mapping[str, list[str]], name: str) -> str | None:
    try:
        return _single(params, name)
    except _BadRequest as error:
        raise _TokenError("invalid_request", error.english) from None


def _loopback_uri_problem(uri: str) -> str | None:
    """Why `uri` is not an acceptable redirect target (only http on 127.0.0.1 or localhost), or None."""
    if not uri.isascii() or any(character.isspace() or character == "\\" for character in uri):
        return "die Adresse enthält unzulässige Zeichen."
    try:
        parts = urlsplit(uri)
        _ = parts.port
    except ValueError:
        return "keine gültige Adresse."
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        return "erlaubt sind nur Adressen unter http://127.0.0.1 oder http://localhost."
    if parts.username is not None or parts.password is not None or "#" in uri:
        return "die Adresse darf weder Zugangsdaten noch ein Fragment enthalten."
    return None


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit(parts._replace(query=query))


def _basic_credentials(header: str) -> list[tuple[str, str]]:
    """The (client_id, secret) a Basic header may mean: as sent, and form-decoded (RFC 6749 §2.3.1)."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise _TokenError("invalid_client", "only HTTP Basic client authentication is supported", 401)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _TokenError("invalid_client", "malformed Basic credentials", 401) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator:
        raise _TokenError("invalid_client", "malformed Basic credentials", 401)
    return [(client_id, secret), (unquote_plus(client_id), unquote_plus(secret))]


def _equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #1d2327;
       line-height: 1.5; }
h1 { font-size: 1.4rem; }
.warning { background: #fff4d6; border-left: 4px solid #d89b00; padding: 0.5rem 0.75rem; }
.error { background: #fde7e7; border-left: 4px solid #c62828; padding: 0.5rem 0.75rem; }
code { overflow-wrap: anywhere; }
ul.people { list-style: none; padding: 0; }
ul.people li { margin: 0.5rem 0; }
button { display: block; width: 100%; text-align: left; padding: 0.6rem 0.8rem; border: 1px solid #b8c2cc;
         border-radius: 6px; background: #f7f9fb; font: inherit; cursor: pointer; }
button:hover, button:focus { background: #e8f0fe; border-color: #1a5fb4; }
.name { display: block; font-weight: 600; }
.description { display: block; color: #555; font-size: 0.9rem; }
.token-link { font-size: 0.85rem; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: 0.85rem; }
"""


def _page(title: str, body: str, *, status_code: int = 200) -> HTMLResponse:
    document = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)} — Mitmachen (Entwicklung)</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(document, status_code=status_code, headers=_PAGE_HEADERS)


def _error_page(problem: str, *, title: str = "Anmeldung nicht möglich", status_code: int = 400) -> HTMLResponse:
    return _page(
        title,
        f'<h1>{escape(title)}</h1><p class="error">Ungültige Anfrage: {escape(problem)}</p>',
        status_code=status_code,
    )
