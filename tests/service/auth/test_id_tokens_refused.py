"""ID tokens are refused as access tokens even when the audience setting equals the browser client's id.

Uses a real provider (node `oidc-provider`) whose browser client id is also the API's audience: its ID tokens
then pass the `aud` check, and only their ID-token features can give them away.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from service.auth.tokens import AccessTokenValidator, TokenRejected
from tests.support.oidc_provider import OidcProvider

BROWSER_CLIENT = "https://web.mitmachen.test"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    # The misconfiguration under test: the API's audience is the browser client's id.
    with OidcProvider(
        audience=BROWSER_CLIENT, client_id=BROWSER_CLIENT, token_endpoint_auth_method="client_secret_post"
    ) as op:
        yield op


@pytest.fixture
async def validator(provider: OidcProvider) -> AsyncIterator[AccessTokenValidator]:
    checker = AccessTokenValidator([provider.issuer], BROWSER_CLIENT, browser_clients=[BROWSER_CLIENT])
    yield checker
    await checker.aclose()


def _id_token_without_nonce(provider: OidcProvider) -> str:
    """A real ID token from a code flow without a nonce (allowed by OpenID Connect for the code flow)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    url = provider.authorization_url(state="s", nonce="unused", code_challenge=challenge)
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items() if key != "nonce"}
    callback = provider.complete_login(parts._replace(query=urlencode(query)).geturl(), "alice")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    token = provider.exchange_code(code, code_verifier=verifier)["id_token"]
    assert isinstance(token, str)
    return token


async def test_a_real_id_token_with_a_nonce_is_refused(provider: OidcProvider, validator: AccessTokenValidator) -> None:
    with pytest.raises(TokenRejected, match="ID token"):
        await validator.validate(provider.id_token("alice"))


async def test_a_real_id_token_without_a_nonce_is_refused(
    provider: OidcProvider, validator: AccessTokenValidator
) -> None:
    token = _id_token_without_nonce(provider)

    with pytest.raises(TokenRejected, match="ID token"):
        await validator.validate(token)


@pytest.mark.parametrize(
    "claims",
    [
        {"azp": BROWSER_CLIENT, "aud": "https://api.elsewhere.test"},
        {"at_hash": "abc"},
        {"c_hash": "abc"},
        {"typ": "ID"},
        {"nonce": "n"},
        {"aud": ["https://api.elsewhere.test", BROWSER_CLIENT]},
    ],
    ids=["azp is the browser client", "at_hash", "c_hash", "typ ID claim", "nonce", "browser client among aud"],
)
async def test_untyped_tokens_with_id_token_features_are_refused(
    provider: OidcProvider, claims: dict[str, object]
) -> None:
    """Providers without `typ: at+jwt` (Keycloak, Entra ID): ID-token features give an ID token away."""
    now = int(time.time())
    base: dict[str, object] = {"iss": provider.issuer, "sub": "alice", "aud": BROWSER_CLIENT, "iat": now}
    token = provider.sign({**base, "exp": now + 300, **claims}, header={"typ": "JWT"})
    audience = "https://api.elsewhere.test" if "aud" in claims else BROWSER_CLIENT
    checker = AccessTokenValidator([provider.issuer], audience, browser_clients=[BROWSER_CLIENT])
    try:
        with pytest.raises(TokenRejected, match="ID token"):
            await checker.validate(token)
    finally:
        await checker.aclose()


async def test_real_access_tokens_still_pass(provider: OidcProvider, validator: AccessTokenValidator) -> None:
    identity = await validator.validate(provider.access_token("alice"))

    assert identity.subject == "alice"


async def test_an_untyped_access_token_for_another_audience_passes(provider: OidcProvider) -> None:
    """What Keycloak issues to an API client of its own: no `typ`, an `azp` that is not our browser client."""
    now = int(time.time())
    claims = {"iss": provider.issuer, "sub": "alice", "aud": "mitmachen", "azp": "mobile-app", "iat": now}
    token = provider.sign({**claims, "exp": now + 300}, header={"typ": "JWT"})
    checker = AccessTokenValidator([provider.issuer], "mitmachen", browser_clients=[BROWSER_CLIENT])
    try:
        assert (await checker.validate(token)).subject == "alice"
    finally:
        await checker.aclose()
