"""Bearer access tokens from a real OpenID provider: the accepted one and every way to be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from mitmachen.runtime import Runtime
from service.users.models import User
from tests.support.oidc_provider import OidcProvider

ME = "query { me { user { displayName } email homeTown { slug } roles { role } } }"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, object], claims: dict[str, object], signature: bytes = b"") -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature)])


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})


async def _users(runtime: Runtime) -> int:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def test_a_token_from_the_trusted_provider_identifies_the_person(
    client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    token = oidc_provider.access_token("clara")

    response = await _me(client, token)

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "me": {
                "user": {"displayName": "Clara Citizen"},
                "email": "clara@example.org",
                "homeTown": None,
                "roles": [],
            }
        }
    }
    assert await _users(runtime) == 1
    await _me(client, token)
    assert await _users(runtime) == 1, "the person is created on first sight only"


async def test_without_a_token_the_caller_is_anonymous(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": ME})

    assert response.json() == {"data": {"me": None}}


def _expired(provider: OidcProvider) -> str:
    claims = provider.access_token_claims_for("clara")
    claims["iat"] = claims["exp"] = int(time.time()) - 3600
    return provider.sign(claims)


def _not_yet_valid(provider: OidcProvider) -> str:
    claims = provider.access_token_claims_for("clara")
    claims["nbf"] = int(time.time()) + 3600
    return provider.sign(claims)


def _wrong_audience(provider: OidcProvider) -> str:
    return provider.access_token("clara", resource="https://another-service.example.org")


def _wrong_issuer(provider: OidcProvider) -> str:
    claims = provider.access_token_claims_for("clara")
    claims["iss"] = "https://idp.example.org"
    return provider.sign(claims)


def _issuer_with_trailing_garbage(provider: OidcProvider) -> str:
    claims = provider.access_token_claims_for("clara")
    claims["iss"] = provider.issuer + ".evil.example"
    return provider.sign(claims)


def _tampered(provider: OidcProvider) -> str:
    header, payload, signature = provider.access_token("clara").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "omar"
    return ".".join([header, _b64(json.dumps(claims).encode()), signature])


def _alg_none(provider: OidcProvider) -> str:
    return _unsigned({"alg": "none", "typ": "at+jwt"}, provider.access_token_claims_for("clara"))


def _hs256_with_public_key(provider: OidcProvider) -> str:
    public = RSAKey.import_key(provider.jwks_public["keys"][0])
    secret = public.as_pem(private=False)
    header = {"alg": "HS256", "typ": "at+jwt", "kid": provider.signing_kid}
    signing_input = ".".join(
        [_b64(json.dumps(header).encode()), _b64(json.dumps(provider.access_token_claims_for("clara")).encode())]
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _id_token(provider: OidcProvider) -> str:
    return provider.id_token("clara")


def _unknown_key(provider: OidcProvider) -> str:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "not-published", "alg": "RS256"}, private=True)
    return jwt.encode(
        {"alg": "RS256", "typ": "at+jwt", "kid": "not-published"}, provider.access_token_claims_for("clara"), stranger
    )


def _oversized(provider: OidcProvider) -> str:
    claims = provider.access_token_claims_for("clara")
    claims["padding"] = "x" * 10_000
    return provider.sign(claims)


def _garbage(provider: OidcProvider) -> str:
    return "this-is-not-a-jwt"


REJECTED: dict[str, tuple[Callable[[OidcProvider], str], str]] = {
    "expired": (_expired, "token expired"),
    "not yet valid": (_not_yet_valid, "invalid claim 'nbf'"),
    "wrong audience": (_wrong_audience, "invalid claim 'aud'"),
    "wrong issuer": (_wrong_issuer, "untrusted issuer"),
    "look-alike issuer": (_issuer_with_trailing_garbage, "untrusted issuer"),
    "tampered signature": (_tampered, "invalid signature"),
    "alg none": (_alg_none, "signing algorithm not allowed"),
    "HS256 signed with the public key": (_hs256_with_public_key, "signing algorithm not allowed"),
    "ID token as access token": (_id_token, "ID token presented as access token"),
    "unknown key": (_unknown_key, "unknown signing key"),
    "oversized": (_oversized, "token too large"),
    "not a JWT": (_garbage, "malformed token"),
}


@pytest.mark.parametrize("case", list(REJECTED))
async def test_a_rejected_token_gets_401_with_a_reason_and_creates_no_user(
    case: str, client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    make, reason = REJECTED[case]

    response = await _me(client, make(oidc_provider))

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert reason in response.json()["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert await _users(runtime) == 0


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", "Basic Y2xhcmE6c2VjcmV0", "clara"])
async def test_an_authorization_header_without_a_bearer_token_gets_401(
    header: str, client: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await client.post("/graphql", json={"query": ME}, headers={"Authorization": header})

    assert response.status_code == 401
    assert await _users(runtime) == 0


async def test_keys_rotated_at_the_provider_are_picked_up_without_restart(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    before = oidc_provider.access_token("clara")
    assert (await _me(client, before)).status_code == 200

    oidc_provider.restart_with_new_keys()
    after = oidc_provider.access_token("clara")

    assert (await _me(client, after)).status_code == 200
    assert (await _me(client, before)).status_code == 401
