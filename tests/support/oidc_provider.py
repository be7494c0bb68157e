"""A real OpenID Connect provider for the test suite.

`OidcProvider` runs ``tests/oidc/provider.mjs`` (the certified ``oidc-provider``
npm package) under node on a free port of 127.0.0.1 and obtains real tokens
from it through the authorization code flow with PKCE, state and nonce, driven
over plain HTTP (no browser involved).

Access tokens are RFC 9068 JWTs (header ``typ: at+jwt``) for the configured
audience, signed with RS256 by the provider's key.  Tokens for another
resource (a wrong audience) are available with ``resource=``.  The signing
keys are generated here, so tests can also sign tokens of their own with the
provider's real key (`OidcProvider.jwks_private`, `OidcProvider.sign`) and
rotate the keys with `OidcProvider.restart_with_new_keys`.

Typical use::

    with OidcProvider(redirect_uris=["http://127.0.0.1:8000/auth/callback"]) as op:
        token = op.access_token("alice")
"""

from __future__ import annotations

import atexit
import base64
import copy
import fcntl
import functools
import hashlib
import json
import queue
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self, cast
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, KeySetSerialization, RSAKey

__all__ = [
    "DEFAULT_ACCOUNTS",
    "DEFAULT_AUDIENCE",
    "DEFAULT_REDIRECT_URI",
    "OIDC_DIR",
    "OidcFlowError",
    "OidcProvider",
    "OidcProviderError",
    "ensure_node_dependencies",
    "generate_jwks",
]

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"

DEFAULT_AUDIENCE = "https://api.mitmachen.test"
DEFAULT_REDIRECT_URI = "http://127.0.0.1/auth/callback"
DEFAULT_SCOPE = "openid profile email"
DEFAULT_ACCOUNTS: Mapping[str, Mapping[str, Any]] = {
    "alice": {
        "name": "Alice Example",
        "email": "alice@example.test",
        "email_verified": True,
        "roles": ["admin"],
    },
    "bob": {
        "name": "Bob Example",
        "email": "bob@example.test",
        "email_verified": True,
    },
}

TokenEndpointAuthMethod = Literal["client_secret_basic", "client_secret_post"]

_MIN_NODE_MAJOR = 20
_STARTUP_TIMEOUT = 30.0
_STOP_TIMEOUT = 5.0
_NPM_TIMEOUT = 600.0
_HTTP_TIMEOUT = 10.0
_MAX_FLOW_STEPS = 20
_LOG_TAIL_CHARS = 4000


class OidcProviderError(RuntimeError):
    """The provider could not be installed, started or reached."""


class OidcFlowError(OidcProviderError):
    """The authorization code flow against the provider failed."""


# --------------------------------------------------------------------------- node


@functools.cache
def _node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise OidcProviderError(
            f"`node` was not found on PATH; the OIDC test provider needs Node.js >= {_MIN_NODE_MAJOR} "
            "(install it, e.g. `apt-get install nodejs npm`)"
        )
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.match(r"v(\d+)\.", result.stdout.strip())
    if result.returncode != 0 or match is None:
        raise OidcProviderError(f"`{node} --version` failed: {result.stdout}{result.stderr}")
    if int(match.group(1)) < _MIN_NODE_MAJOR:
        raise OidcProviderError(
            f"the OIDC test provider needs Node.js >= {_MIN_NODE_MAJOR}, found {result.stdout.strip()}"
        )
    return node


def _pinned_provider_version() -> str | None:
    manifest = json.loads((OIDC_DIR / "package.json").read_text(encoding="utf-8"))
    version = manifest.get("dependencies", {}).get("oidc-provider")
    return version if isinstance(version, str) else None


def _installed_provider_version() -> str | None:
    manifest = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not manifest.is_file():
        return None
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return version if isinstance(version, str) else None


def _node_modules_current() -> bool:
    installed = _installed_provider_version()
    return installed is not None and installed == _pinned_provider_version()


@contextmanager
def _install_lock() -> Iterator[None]:
    lock_path = (
        Path(tempfile.gettempdir()) / f"oidc-provider-npm-{hashlib.sha256(bytes(OIDC_DIR)).hexdigest()[:12]}.lock"
    )
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_node_dependencies() -> str:
    """Check for node and install ``tests/oidc``'s npm dependencies when needed.

    Runs ``npm ci --no-audit --no-fund`` in ``tests/oidc`` when ``node_modules``
    is missing or holds another ``oidc-provider`` version than the pinned one.
    Returns the path of the node executable.
    """
    node = _node_executable()
    if _node_modules_current():
        return node
    npm = shutil.which("npm")
    if npm is None:
        raise OidcProviderError("`npm` was not found on PATH; it is needed to install tests/oidc's dependencies")
    with _install_lock():
        if _node_modules_current():
            return node
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=OIDC_DIR,
                capture_output=True,
                text=True,
                timeout=_NPM_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OidcProviderError(f"`npm ci` in {OIDC_DIR} timed out after {_NPM_TIMEOUT:.0f} s") from exc
        if result.returncode != 0 or not _node_modules_current():
            output = (result.stdout + result.stderr)[-_LOG_TAIL_CHARS:]
            raise OidcProviderError(f"`npm ci` in {OIDC_DIR} failed (exit {result.returncode}):\n{output}")
    return node


# --------------------------------------------------------------------------- keys


def generate_jwks() -> dict[str, Any]:
    """A fresh private key set: an RS256 key (used for all signatures) and an ES256 key."""
    rsa = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True, auto_kid=True)
    ec = ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"}, private=True, auto_kid=True)
    return {"keys": [dict(rsa.as_dict(private=True)), dict(ec.as_dict(private=True))]}


def _import_key_set(value: Mapping[str, Any]) -> KeySet:
    return KeySet.import_key_set(cast("KeySetSerialization", value))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


# --------------------------------------------------------------------------- HTML forms


class _Form:
    def __init__(self, action: str) -> None:
        self.action = action
        self.fields: dict[str, str] = {}


class _FormParser(HTMLParser):
    """Collects the POST forms of a page with their named input fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self._current: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self._current = _Form(attributes.get("action", ""))
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current.fields[attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def _page_text(html: str) -> str:
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text).strip()[:800]


# --------------------------------------------------------------------------- provider


class OidcProvider:
    """An ``oidc-provider`` instance under node, with one confidential client.

    The provider listens on ``127.0.0.1`` (a free port unless ``port`` is
    given); its issuer is ``http://127.0.0.1:<port>`` and stays the same across
    restarts.  Accounts map an account id (which is also the ``sub``) to the
    claims released for the ``profile``/``email`` scopes (``roles`` is part of
    ``profile`` and is also copied into access tokens).
    """

    def __init__(
        self,
        *,
        redirect_uris: Sequence[str] = (DEFAULT_REDIRECT_URI,),
        accounts: Mapping[str, Mapping[str, Any]] | None = None,
        audience: str = DEFAULT_AUDIENCE,
        client_id: str = "mitmachen-test",
        client_secret: str | None = None,
        token_endpoint_auth_method: TokenEndpointAuthMethod = "client_secret_basic",  # noqa: S107
        post_logout_redirect_uris: Sequence[str] = (),
        access_token_ttl: int = 300,
        id_token_ttl: int = 300,
        resource_scope: str = DEFAULT_SCOPE,
        access_token_claims: Sequence[str] = ("roles",),
        require_pkce: bool = True,
        auto_consent: bool = True,
        port: int | None = None,
        startup_timeout: float = _STARTUP_TIMEOUT,
    ) -> None:
        if not redirect_uris:
            raise ValueError("at least one redirect URI is needed")
        self.audience = audience
        self.client_id = client_id
        self.client_secret = client_secret if client_secret is not None else secrets.token_urlsafe(32)
        self.token_endpoint_auth_method: TokenEndpointAuthMethod = token_endpoint_auth_method
        self.access_token_ttl = access_token_ttl
        self.id_token_ttl = id_token_ttl
        self.resource_scope = resource_scope
        self.access_token_claims = tuple(access_token_claims)
        self.require_pkce = require_pkce
        self.auto_consent = auto_consent
        self.startup_timeout = startup_timeout
        self._redirect_uris = tuple(redirect_uris)
        self._post_logout_redirect_uris = tuple(post_logout_redirect_uris)
        self._accounts = self._normalise_accounts(DEFAULT_ACCOUNTS if accounts is None else accounts)
        self._jwks: dict[str, Any] = generate_jwks()
        self._cookie_keys = [secrets.token_urlsafe(32)]
        self._port: int | None = port
        self._issuer: str | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._log: IO[str] | None = None
        self._workdir: Path | None = None
        self._discovery: dict[str, Any] | None = None

    # ------------------------------------------------------------------ properties

    @property
    def issuer(self) -> str:
        """The issuer identifier, ``http://127.0.0.1:<port>`` (known once started)."""
        if self._issuer is None:
            raise OidcProviderError("the OIDC provider has not been started")
        return self._issuer

    @property
    def port(self) -> int:
        if self._port is None or self._issuer is None:
            raise OidcProviderError("the OIDC provider has not been started")
        return self._port

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        return self._redirect_uris

    @property
    def post_logout_redirect_uris(self) -> tuple[str, ...]:
        return self._post_logout_redirect_uris

    @property
    def accounts(self) -> dict[str, dict[str, Any]]:
        """A copy of the accounts: account id -> claims (``sub`` included)."""
        return copy.deepcopy(self._accounts)

    @property
    def jwks_private(self) -> dict[str, Any]:
        """A copy of the provider's current private key set (``{"keys": [...]}``)."""
        return copy.deepcopy(self._jwks)

    @property
    def jwks_public(self) -> dict[str, Any]:
        """The public half of `jwks_private`, as the provider publishes it."""
        return dict(_import_key_set(self._jwks).as_dict(private=False))

    @property
    def signing_kid(self) -> str:
        """The ``kid`` of the RS256 key the provider signs tokens with."""
        for key in self._jwks["keys"]:
            if key.get("alg") == "RS256":
                return str(key["kid"])
        raise OidcProviderError("the key set has no RS256 key")

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Start the provider and return once it serves requests."""
        if self._proc is not None:
            raise OidcProviderError("the OIDC provider is already running")
        node = ensure_node_dependencies()
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
        atexit.register(self.stop)
        try:
            self._launch(node)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the provider (SIGTERM, then SIGKILL) and remove its scratch files."""
        self._terminate()
        atexit.unregister(self.stop)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def restart(self) -> None:
        """Restart with the same keys, issuer and port (in-memory sessions and grants are lost)."""
        if self._workdir is None:
            raise OidcProviderError("the OIDC provider has not been started")
        node = ensure_node_dependencies()
        self._terminate()
        self._launch(node)

    def restart_with_new_keys(self, *, keep_old_keys: bool = False) -> None:
        """Restart at the same issuer and port with a freshly generated key set.

        With ``keep_old_keys`` the previous keys stay published in the JWKS
        (after the new ones); new tokens are signed with the new RS256 key
        either way.  Returns once the restarted provider serves requests.
        """
        new_keys = generate_jwks()
        if keep_old_keys:
            new_keys["keys"].extend(copy.deepcopy(self._jwks["keys"]))
        self._jwks = new_keys
        self.restart()

    def set_redirect_uris(self, redirect_uris: Sequence[str]) -> None:
        """Replace the client's redirect URIs; restarts the provider (same keys) if it runs."""
        if not redirect_uris:
            raise ValueError("at least one redirect URI is needed")
        self._redirect_uris = tuple(redirect_uris)
        if self._proc is not None:
            self.restart()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def log(self) -> str:
        """What the provider process wrote to stderr so far (for failure messages)."""
        if self._workdir is None:
            return ""
        path = self._workdir / "provider.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""

    # ------------------------------------------------------------------ HTTP helpers

    def http_client(self) -> httpx.Client:
        """A fresh cookie-keeping client for the provider (no redirects followed, no proxies)."""
        return httpx.Client(follow_redirects=False, timeout=_HTTP_TIMEOUT, trust_env=False)

    def discovery(self) -> dict[str, Any]:
        """The provider's OpenID Connect discovery document."""
        if self._discovery is None:
            with self.http_client() as client:
                response = client.get(self.discovery_url)
                response.raise_for_status()
                self._discovery = dict(response.json())
        return copy.deepcopy(self._discovery)

    def jwks(self) -> dict[str, Any]:
        """The public key set currently served at the provider's ``jwks_uri``."""
        with self.http_client() as client:
            response = client.get(self.discovery()["jwks_uri"])
            response.raise_for_status()
            return dict(response.json())

    def key_set(self) -> KeySet:
        """`jwks` as a joserfc `KeySet`, e.g. for ``jwt.decode(token, op.key_set())``."""
        return _import_key_set(self.jwks())

    def private_key_set(self) -> KeySet:
        """`jwks_private` as a joserfc `KeySet`."""
        return _import_key_set(self._jwks)

    def sign(
        self,
        claims: Mapping[str, Any],
        *,
        header: Mapping[str, Any] | None = None,
    ) -> str:
        """Sign ``claims`` with the provider's RS256 key.

        The default header is that of the provider's access tokens
        (``alg: RS256``, ``typ: at+jwt``, ``kid``); ``header`` entries override it.
        Handy for tokens the provider would not issue (expired, odd claims).
        """
        full_header: dict[str, Any] = {"alg": "RS256", "typ": "at+jwt", "kid": self.signing_kid}
        full_header.update(header or {})
        key = self.private_key_set().get_by_kid(self.signing_kid)
        return jwt.encode(full_header, dict(claims), key)

    def access_token_claims_for(self, account_id: str, *, ttl: int | None = None) -> dict[str, Any]:
        """Claims like those of an access token the provider issues for ``account_id`` now."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": account_id,
            "aud": self.audience,
            "iat": now,
            "exp": now + (self.access_token_ttl if ttl is None else ttl),
            "jti": secrets.token_urlsafe(16),
            "client_id": self.client_id,
            "scope": self.resource_scope,
        }
        account = self._accounts.get(account_id, {})
        for name in self.access_token_claims:
            if name in account:
                claims[name] = copy.deepcopy(account[name])
        return claims

    # ------------------------------------------------------------------ flows

    def authorization_url(
        self,
        *,
        state: str,
        nonce: str,
        code_challenge: str,
        scope: str = DEFAULT_SCOPE,
        redirect_uri: str | None = None,
        resource: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """An authorization request URL for the registered client (response_type=code, S256)."""
        params: dict[str, str] = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri or self._redirect_uris[0],
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        if resource is not None:
            params["resource"] = resource
        params.update(extra or {})
        return f"{self.discovery()['authorization_endpoint']}?{urlencode(params)}"

    def complete_login(
        self,
        authorization_url: str,
        account_id: str,
        *,
        client: httpx.Client | None = None,
    ) -> str:
        """Drive an authorization request to its end as the user ``account_id``.

        ``authorization_url`` may come from anywhere (e.g. the login redirect of
        the service under test).  The login form is posted with
        ``login=<account_id>`` and a consent form, should one appear, is
        accepted.  Returns the URL the provider finally redirects to (the
        client's redirect URI with ``code``/``state`` or ``error``), without
        requesting it.  Pass ``client`` to keep the provider's session cookies.
        """
        if client is None:
            with self.http_client() as own_client:
                return self._drive(own_client, authorization_url, account_id)
        return self._drive(client, authorization_url, account_id)

    def end_session_url(
        self,
        *,
        id_token_hint: str | None = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
    ) -> str:
        """An RP-initiated logout request URL for the registered client."""
        params: dict[str, str] = {"client_id": self.client_id}
        if id_token_hint is not None:
            params["id_token_hint"] = id_token_hint
        if post_logout_redirect_uri is not None:
            params["post_logout_redirect_uri"] = post_logout_redirect_uri
        if state is not None:
            params["state"] = state
        return f"{self.discovery()['end_session_endpoint']}?{urlencode(params)}"

    def complete_logout(self, end_session_url: str, *, client: httpx.Client | None = None) -> str:
        """Confirm an RP-initiated logout request ("Yes, sign me out").

        Pass the ``client`` that logged in (see `complete_login`/`tokens`) to end
        that session.  Returns the URL the provider finally sends the user agent
        to: the ``post_logout_redirect_uri`` (with ``state``) or the provider's
        own logout success page.
        """
        if client is None:
            with self.http_client() as own_client:
                return self._drive(own_client, end_session_url, None)
        return self._drive(client, end_session_url, None)

    def exchange_code(
        self,
        code: str,
        *,
        code_verifier: str | None,
        redirect_uri: str | None = None,
        resource: str | None = None,
    ) -> dict[str, Any]:
        """Exchange an authorization code at the token endpoint as the registered client."""
        data: dict[str, str] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri or self._redirect_uris[0],
        }
        if code_verifier is not None:
            data["code_verifier"] = code_verifier
        if resource is not None:
            data["resource"] = resource
        return self._token_request(data)

    def tokens(
        self,
        account_id: str,
        *,
        resource: str | None = None,
        scope: str = DEFAULT_SCOPE,
        redirect_uri: str | None = None,
        client: httpx.Client | None = None,
    ) -> dict[str, Any]:
        """Real tokens for ``account_id`` from the authorization code flow with PKCE.

        Returns the token endpoint's response (``access_token``, ``id_token``,
        ``token_type``, ``expires_in``, ``scope``).  ``resource`` requests the
        access token for another resource indicator, whose value becomes its
        ``aud`` (the default is the configured `audience`).  Pass ``client``
        (from `http_client`) to keep the provider session, e.g. for a logout.
        """
        if account_id not in self._accounts:
            raise OidcFlowError(f"unknown account {account_id!r}; known: {sorted(self._accounts)}")
        state = secrets.token_urlsafe(16)
        nonce = secrets.token_urlsafe(16)
        verifier, challenge = _pkce_pair()
        redirect_uri = redirect_uri or self._redirect_uris[0]
        url = self.authorization_url(
            state=state,
            nonce=nonce,
            code_challenge=challenge,
            scope=scope,
            redirect_uri=redirect_uri,
            resource=resource,
        )
        callback = self.complete_login(url, account_id, client=client)
        if not callback.startswith(redirect_uri):
            raise OidcFlowError(f"the provider redirected to {callback!r}, not to {redirect_uri!r}")
        params = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}
        if "error" in params:
            raise OidcFlowError(f"authorization failed: {params['error']}: {params.get('error_description', '')}")
        if params.get("state") != state:
            raise OidcFlowError(f"state mismatch in {callback!r}")
        if "iss" in params and params["iss"] != self.issuer:
            raise OidcFlowError(f"iss mismatch in {callback!r}")
        if "code" not in params:
            raise OidcFlowError(f"no code in {callback!r}")
        body = self.exchange_code(params["code"], code_verifier=verifier, redirect_uri=redirect_uri)
        id_token = body.get("id_token")
        if isinstance(id_token, str):
            claims = jwt.decode(id_token, self.key_set()).claims
            if claims.get("nonce") != nonce:
                raise OidcFlowError("nonce mismatch in the ID token")
        return body

    def access_token(self, account_id: str, *, resource: str | None = None) -> str:
        """A real access token (RFC 9068 JWT) for ``account_id``; see `tokens`."""
        token = self.tokens(account_id, resource=resource)["access_token"]
        if not isinstance(token, str):
            raise OidcFlowError("the token response has no access_token")
        return token

    def id_token(self, account_id: str) -> str:
        """A real ID token for ``account_id``; see `tokens`."""
        token = self.tokens(account_id).get("id_token")
        if not isinstance(token, str):
            raise OidcFlowError("the token response has no id_token")
        return token

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _normalise_accounts(accounts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        normalised: dict[str, dict[str, Any]] = {}
        for account_id, claims in accounts.items():
            sub = claims.get("sub", account_id)
            if sub != account_id:
                raise ValueError(f"account {account_id!r}: sub must equal the account id, got {sub!r}")
            entry = copy.deepcopy(dict(claims))
            entry["sub"] = account_id
            json.dumps(entry)  # the claims travel to node as JSON
            normalised[account_id] = entry
        return normalised

    def _config(self) -> dict[str, Any]:
        client: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self._redirect_uris),
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }
        if self._post_logout_redirect_uris:
            client["post_logout_redirect_uris"] = list(self._post_logout_redirect_uris)
        return {
            "jwks": self._jwks,
            "clients": [client],
            "accounts": self._accounts,
            "audience": self.audience,
            "resourceScope": self.resource_scope,
            "accessTokenTTL": self.access_token_ttl,
            "idTokenTTL": self.id_token_ttl,
            "accessTokenClaims": list(self.access_token_claims),
            "requirePkce": self.require_pkce,
            "autoConsent": self.auto_consent,
            "cookieKeys": self._cookie_keys,
        }

    def _launch(self, node: str) -> None:
        workdir = self._workdir
        if workdir is None:
            raise OidcProviderError("no working directory")
        config_path = workdir / "config.json"
        config_path.write_text(json.dumps(self._config()), encoding="utf-8")
        config_path.chmod(0o600)
        argv = [node, str(PROVIDER_SCRIPT), str(config_path), "--exit-on-stdin-close"]
        argv += ["--port", str(self._port if self._port is not None else 0)]
        if self._issuer is not None:
            argv += ["--issuer", self._issuer]
        self._log = (workdir / "provider.log").open("a", encoding="utf-8")
        self._log.write(f"--- starting {' '.join(argv)}\n")
        self._log.flush()
        self._lines = queue.Queue()
        self._discovery = None
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            argv,
            cwd=OIDC_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self._reader = threading.Thread(
            target=self._read_stdout, args=(self._proc, self._lines), name="oidc-provider-stdout", daemon=True
        )
        self._reader.start()
        issuer = self._wait_ready()
        if self._issuer is None:
            port = urlsplit(issuer).port
            if port is None:
                raise OidcProviderError(f"the provider reported an issuer without a port: {issuer!r}")
            self._issuer, self._port = issuer, port
        elif issuer != self._issuer:
            raise OidcProviderError(f"the provider came up as {issuer!r} instead of {self._issuer!r}")

    @staticmethod
    def _read_stdout(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        stdout = proc.stdout
        if stdout is not None:
            for line in stdout:
                lines.put(line.rstrip("\n"))
        lines.put(None)

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._terminate()
                raise OidcProviderError(
                    f"the OIDC provider did not report READY within {self.startup_timeout:.0f} s:\n{self._log_tail()}"
                )
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                code = self._proc.wait() if self._proc is not None else None
                self._terminate()
                raise OidcProviderError(f"the OIDC provider exited with status {code}:\n{self._log_tail()}")
            if line.startswith("READY "):
                return line.removeprefix("READY ").strip()

    def _log_tail(self) -> str:
        return self.log()[-_LOG_TAIL_CHARS:]

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=_STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._reader is not None:
            self._reader.join(timeout=_STOP_TIMEOUT)
            self._reader = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _is_provider_url(self, url: str) -> bool:
        own, other = urlsplit(self.issuer), urlsplit(url)
        return (own.scheme, own.netloc) == (other.scheme, other.netloc)

    def _drive(self, client: httpx.Client, url: str, account_id: str | None) -> str:
        """Follow the provider's redirects and submit its forms until it sends the user agent away.

        With an ``account_id`` the login form is filled in; without one (logout)
        the logout is confirmed and a final provider page without a form ends
        the walk.
        """
        method, target, data = "GET", url, None
        logins = 0
        for _ in range(_MAX_FLOW_STEPS):
            response = client.request(method, target, data=data)
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if not self._is_provider_url(location):
                    return location
                method, target, data = "GET", location, None
                continue
            if response.status_code != httpx.codes.OK:
                raise OidcFlowError(f"{method} {target} answered {response.status_code}: {_page_text(response.text)}")
            parser = _FormParser()
            parser.feed(response.text)
            if not parser.forms:
                if account_id is None:
                    return str(response.url)
                raise OidcFlowError(f"{target} shows no form to submit: {_page_text(response.text)}")
            form = parser.forms[0]
            fields = dict(form.fields)
            if account_id is None:
                fields["logout"] = "yes"
            elif "login" in fields:
                logins += 1
                if logins > 1:
                    raise OidcFlowError(f"the provider did not accept the login of account {account_id!r}")
                fields["login"] = account_id
                fields["password"] = "password"
            method, target, data = "POST", urljoin(str(response.url), form.action), fields
        raise OidcFlowError(f"the authorization flow did not finish within {_MAX_FLOW_STEPS} requests")

    def _token_request(self, data: dict[str, str]) -> dict[str, Any]:
        endpoint = self.discovery()["token_endpoint"]
        with self.http_client() as client:
            if self.token_endpoint_auth_method == "client_secret_basic":
                auth = httpx.BasicAuth(self.client_id, self.client_secret)
                response = client.post(endpoint, data=data, auth=auth)
            else:
                credentials = {"client_id": self.client_id, "client_secret": self.client_secret}
                response = client.post(endpoint, data={**data, **credentials})
        if response.status_code != httpx.codes.OK:
            raise OidcFlowError(f"token request failed ({response.status_code}): {response.text}")
        return dict(response.json())
