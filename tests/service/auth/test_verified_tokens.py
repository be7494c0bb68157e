"""A token that passed validation is not verified again until it expires; the cache of them is bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from joserfc import jwt

from service.auth.tokens import CLOCK_SKEW_SECONDS, AccessTokenValidator, Identity, TokenRejected, VerifiedTokens
from tests.support.oidc_provider import OidcProvider


@pytest.fixture
async def validator(oidc_provider: OidcProvider) -> AsyncIterator[AccessTokenValidator]:
    checker = AccessTokenValidator([oidc_provider.issuer], oidc_provider.audience)
    yield checker
    await checker.aclose()


def count_signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the tokens whose signature is checked (joserfc's decode, noted and then run as usual); called
    once the test's tokens are made, since the provider's client checks its own ID tokens with it."""
    checked: list[str] = []
    decode = jwt.decode

    def counting(value: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(value)
        return decode(value, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return checked


async def test_a_token_is_verified_once_and_then_known_until_it_expires(
    oidc_provider: OidcProvider, validator: AccessTokenValidator, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = oidc_provider.access_token("clara")
    other = oidc_provider.access_token("omar")
    signature_checks = count_signature_checks(monkeypatch)

    first = await validator.validate(token)
    again = await validator.validate(token)
    omar = await validator.validate(other)

    assert (first.subject, again.subject, omar.subject) == ("clara", "clara", "omar")
    assert again == first
    assert signature_checks == [token, other]


async def test_a_known_token_is_refused_once_it_expires(
    oidc_provider: OidcProvider, validator: AccessTokenValidator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Valid for two more seconds, the allowed clock skew included.
    claims = oidc_provider.access_token_claims_for("clara", ttl=2 - CLOCK_SKEW_SECONDS)
    token = oidc_provider.sign(claims)
    signature_checks = count_signature_checks(monkeypatch)
    await validator.validate(token)

    await asyncio.sleep(3)
    with pytest.raises(TokenRejected, match="expired"):
        await validator.validate(token)
    assert signature_checks == [token, token]


async def test_a_refused_token_is_not_remembered(
    oidc_provider: OidcProvider, validator: AccessTokenValidator, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, payload, signature = oidc_provider.access_token("clara").split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    signature_checks = count_signature_checks(monkeypatch)

    for _ in range(2):
        with pytest.raises(TokenRejected, match="signature"):
            await validator.validate(forged)
    assert signature_checks == [forged, forged]
    assert len(validator.verified) == 0


def test_the_least_recently_used_token_leaves_a_full_cache() -> None:
    cache = VerifiedTokens(size=2)
    identities = {name: Identity("https://op.test", name, {"exp": 2_000_000_000}) for name in ("a", "b", "c")}
    for name in ("a", "b"):
        cache.put(VerifiedTokens.key(name), identities[name])

    assert cache.get(VerifiedTokens.key("a"), now=1_000_000_000) == identities["a"]  # a is now the most recent
    cache.put(VerifiedTokens.key("c"), identities["c"])

    assert len(cache) == 2
    assert cache.get(VerifiedTokens.key("b"), now=1_000_000_000) is None
    assert cache.get(VerifiedTokens.key("a"), now=1_000_000_000) == identities["a"]
    assert cache.get(VerifiedTokens.key("c"), now=1_000_000_000) == identities["c"]
    assert cache.get(VerifiedTokens.key("c"), now=2_000_000_000 + CLOCK_SKEW_SECONDS) is None
