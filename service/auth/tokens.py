"""Validation of bearer access tokens (JWT, RFC 9068) from one or more trusted OpenID providers.

Each issuer's discovery document and key set are fetched over HTTP and cached. A token signed with a key id
we do not know triggers one refresh of that issuer's key set (at most once per `refresh_interval`), so key
rotation works without a restart while a flood of made-up key ids cannot make us hammer the provider.

A token that passed every check is remembered (by its SHA-256, with its claims) until it expires, so a person's
next requests with the same token skip the signature check; the cache is bounded, least recently used out first.
What happens after validation (a deleted account refused, roles read from the database) runs on every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"})
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash", "s_hash")
MAX_TOKEN_BYTES = 8192
CLOCK_SKEW_SECONDS = 30
DISCOVERY_TIMEOUT_SECONDS = 5.0
VERIFIED_TOKENS_KEPT = 10_000


class TokenRejected(Exception):
    """The token is not acceptable; `reason` is short and safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    claims: dict[str, Any]


class VerifiedTokens:
    """Identities of tokens that passed validation, keyed by the token's SHA-256, each until its `exp` (plus the
    clock skew the check allows); at most `size` of them, the least recently used dropped first."""

    def __init__(self, size: int = VERIFIED_TOKENS_KEPT) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[float, Identity]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def key(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, key: bytes, *, now: float) -> Identity | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        valid_until, identity = entry
        if now >= valid_until:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return identity

    def clear(self) -> None:
        self._entries.clear()

    def put(self, key: bytes, identity: Identity) -> None:
        expires = identity.claims.get("exp")
        if self.size <= 0 or not isinstance(expires, int | float):
            return
        self._entries[key] = (float(expires) + CLOCK_SKEW_SECONDS, identity)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


@dataclass
class _IssuerKeys:
    jwks_uri: str | None = None
    keys: KeySet | None = None
    refreshed_for_unknown_kid_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AccessTokenValidator:
    def __init__(
        self,
        issuers: list[str],
        audience: str,
        *,
        browser_clients: Iterable[str] = (),
        http: httpx.AsyncClient | None = None,
        refresh_interval: float = 30.0,
        verified_tokens: int = VERIFIED_TOKENS_KEPT,
    ) -> None:
        self.issuers = frozenset(issuer.rstrip("/") for issuer in issuers)
        self.audience = audience
        # Our own login clients: ID tokens are issued to them (their `aud`, their `azp`), access tokens for the API
        # are not. An untyped token addressed to one of them is an ID token, whatever the audience setting says.
        self.browser_clients = frozenset(browser_clients)
        self.refresh_interval = refresh_interval
        self._http = http or httpx.AsyncClient(timeout=DISCOVERY_TIMEOUT_SECONDS, follow_redirects=False)
        self._keys: dict[str, _IssuerKeys] = {issuer: _IssuerKeys() for issuer in self.issuers}
        self.verified = VerifiedTokens(verified_tokens)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def validate(self, token: str) -> Identity:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenRejected("token too large")
        key = VerifiedTokens.key(token)
        known = self.verified.get(key, now=time.time())
        if known is not None:
            return known
        identity = await self._verify(token)
        self.verified.put(key, identity)
        return identity

    async def _verify(self, token: str) -> Identity:
        try:
            unverified = extract_compact(token.encode("ascii"))
            header = unverified.headers()
            payload = json.loads(unverified.payload or b"")
        except (JoseError, ValueError, UnicodeEncodeError):
            raise TokenRejected("malformed token") from None
        if not isinstance(payload, dict):
            raise TokenRejected("malformed token")
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise TokenRejected("signing algorithm not allowed")
        _reject_id_tokens(header, payload, self.browser_clients)
        issuer = str(payload.get("iss", "")).rstrip("/")
        if issuer not in self.issuers:
            raise TokenRejected("untrusted issuer")

        key_set = await self._key_set(issuer, kid=header.get("kid"))
        try:
            decoded = jwt.decode(token, key_set, algorithms=[algorithm])
            jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": payload["iss"]},
                aud={"essential": True, "value": self.audience},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(decoded.claims)
        except ExpiredTokenError:
            raise TokenRejected("token expired") from None
        except ClaimError as error:
            raise TokenRejected(f"invalid claim {error.claim!r}") from None
        except JoseError:
            raise TokenRejected("invalid signature") from None
        return Identity(issuer=issuer, subject=str(decoded.claims["sub"]), claims=decoded.claims)

    async def _key_set(self, issuer: str, *, kid: object) -> KeySet:
        entry = self._keys[issuer]
        if entry.keys is not None and _has_kid(entry.keys, kid):
            return entry.keys
        async with entry.lock:
            if entry.keys is None:
                await self._refresh(issuer, entry)
            elif not _has_kid(entry.keys, kid) and time.monotonic() - entry.refreshed_for_unknown_kid_at > (
                self.refresh_interval
            ):
                entry.refreshed_for_unknown_kid_at = time.monotonic()
                await self._refresh(issuer, entry)
        if entry.keys is None or not _has_kid(entry.keys, kid):
            raise TokenRejected("unknown signing key")
        return entry.keys

    async def _refresh(self, issuer: str, entry: _IssuerKeys) -> None:
        try:
            if entry.jwks_uri is None:
                discovery = await self._get_json(f"{issuer}/.well-known/openid-configuration")
                if str(discovery.get("issuer", "")).rstrip("/") != issuer:
                    raise TokenRejected("identity provider misconfigured")
                entry.jwks_uri = str(discovery["jwks_uri"])
            entry.keys = KeySet.import_key_set(await self._get_json(entry.jwks_uri))  # type: ignore[arg-type]
            # The provider's keys changed (a refresh happens only for a key not seen before): a token signed with
            # a key it has since withdrawn must fail from now on, so no earlier verification is taken on trust.
            self.verified.clear()
        except (httpx.HTTPError, KeyError, TypeError, ValueError, JoseError):
            raise TokenRejected("identity provider unreachable") from None

    async def _get_json(self, url: str) -> dict[str, Any]:
        response = await self._http.get(url)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict):
            raise TypeError(url)
        return body


def _has_kid(keys: KeySet, kid: object) -> bool:
    try:
        keys.get_by_kid(kid if isinstance(kid, str) else None)
    except InvalidKeyIdError:
        return False
    return True


def _reject_id_tokens(header: dict[str, Any], payload: dict[str, Any], browser_clients: frozenset[str]) -> None:
    """Refuse ID tokens (and other JWTs) presented as access tokens.

    RFC 9068 access tokens carry `typ: at+jwt`; providers that do not set it (e.g. Keycloak, Entra ID) leave the
    audience check alone to tell them apart, which fails when the audience setting equals the browser client's id
    (an ID token's `aud`). So an untyped token is refused when it carries what only ID tokens carry: a `typ: ID`
    claim, a nonce, an at_hash/c_hash/s_hash, or our own browser client as its `azp` or among its audiences.
    """
    token_type = str(header.get("typ", "")).lower()
    if token_type in ACCESS_TOKEN_TYPES:
        return
    if token_type not in {"", "jwt"}:
        raise TokenRejected("not an access token")
    if payload.get("typ") == "ID" or any(claim in payload for claim in ID_TOKEN_CLAIMS):
        raise TokenRejected("ID token presented as access token")
    audiences = payload.get("aud")
    audience_list = audiences if isinstance(audiences, list) else [audiences]
    if payload.get("azp") in browser_clients or any(audience in browser_clients for audience in audience_list):
        raise TokenRejected("ID token presented as access token")
