"""The OIDC test provider harness talks to a real ``oidc-provider`` and yields real tokens."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import KeySet

from .oidc_provider import DEFAULT_AUDIENCE, OidcFlowError, OidcProvider

OTHER_RESOURCE = "https://other-api.example.test"
SIGNED_OUT = "http://127.0.0.1/signed-out"
ACCOUNTS = {
    "alice": {
        "name": "Alice Example",
        "email": "alice@example.test",
        "email_verified": True,
        "roles": ["admin"],
    },
    "bob": {"name": "Bob Example", "email": "bob@example.test", "email_verified": False},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider(accounts=ACCOUNTS, post_logout_redirect_uris=[SIGNED_OUT]) as op:
        yield op


def _key_set(op: OidcProvider) -> KeySet:
    with httpx.Client(trust_env=False) as client:
        discovery = client.get(f"{op.issuer}/.well-known/openid-configuration").json()
        return KeySet.import_key_set(client.get(discovery["jwks_uri"]).json())


def test_discovery_document_is_served_with_the_issuer(provider: OidcProvider) -> None:
    with httpx.Client(trust_env=False) as client:
        response = client.get(f"{provider.issuer}/.well-known/openid-configuration")
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == provider.issuer
    assert provider.issuer.startswith("http://127.0.0.1:")
    assert document["jwks_uri"].startswith(provider.issuer)
    assert document["end_session_endpoint"].startswith(provider.issuer)
    assert "S256" in document["code_challenge_methods_supported"]
    assert "code" in document["response_types_supported"]


def test_access_token_is_an_rfc9068_jwt_for_the_audience(provider: OidcProvider) -> None:
    token = provider.access_token("alice")

    decoded = jwt.decode(token, _key_set(provider))

    assert decoded.header["typ"] == "at+jwt"
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] == provider.signing_kid
    claims = decoded.claims
    assert claims["aud"] == provider.audience == DEFAULT_AUDIENCE
    assert claims["sub"] == "alice"
    assert claims["iss"] == provider.issuer
    assert claims["client_id"] == provider.client_id
    assert claims["roles"] == ["admin"]
    assert set(claims["scope"].split()) == {"openid", "profile", "email"}
    assert claims["exp"] - claims["iat"] == provider.access_token_ttl


def test_access_token_signature_is_checked(provider: OidcProvider) -> None:
    token = provider.access_token("alice")
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"

    with pytest.raises(BadSignatureError):
        jwt.decode(tampered, _key_set(provider))


def test_tokens_include_an_id_token_with_the_account_claims(provider: OidcProvider) -> None:
    tokens = provider.tokens("bob")

    assert tokens["token_type"].lower() == "bearer"
    assert isinstance(tokens["access_token"], str)
    id_token = jwt.decode(tokens["id_token"], _key_set(provider)).claims
    assert id_token["iss"] == provider.issuer
    assert id_token["aud"] == provider.client_id
    assert id_token["sub"] == "bob"
    assert id_token["name"] == "Bob Example"
    assert id_token["email"] == "bob@example.test"
    assert id_token["email_verified"] is False
    assert "roles" not in id_token
    assert isinstance(id_token["nonce"], str)


def test_token_for_another_resource_has_another_audience(provider: OidcProvider) -> None:
    token = provider.access_token("alice", resource=OTHER_RESOURCE)

    decoded = jwt.decode(token, _key_set(provider))

    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["aud"] == OTHER_RESOURCE
    assert decoded.claims["aud"] != provider.audience
    assert decoded.claims["sub"] == "alice"


def test_unknown_account_is_denied(provider: OidcProvider) -> None:
    with pytest.raises(OidcFlowError, match="unknown account"):
        provider.tokens("mallory")

    url = provider.authorization_url(state="st", nonce="no", code_challenge="x" * 43)
    callback = provider.complete_login(url, "mallory")

    assert callback.startswith(provider.redirect_uris[0])
    assert "error=access_denied" in callback
    assert "state=st" in callback


def test_rp_initiated_logout_ends_the_provider_session(provider: OidcProvider) -> None:
    silent = provider.authorization_url(state="again", nonce="n", code_challenge="x" * 43, extra={"prompt": "none"})
    with provider.http_client() as browser:
        tokens = provider.tokens("alice", client=browser)
        assert "code=" in provider.complete_login(silent, "alice", client=browser)

        logout = provider.end_session_url(
            id_token_hint=tokens["id_token"], post_logout_redirect_uri=SIGNED_OUT, state="bye"
        )
        assert provider.complete_logout(logout, client=browser) == f"{SIGNED_OUT}?state=bye"

        assert "error=login_required" in provider.complete_login(silent, "alice", client=browser)


def test_private_keys_sign_tokens_the_provider_jwks_accepts(provider: OidcProvider) -> None:
    claims = provider.access_token_claims_for("alice", ttl=-60)
    token = provider.sign(claims)

    decoded = jwt.decode(token, _key_set(provider))

    assert decoded.header == {"alg": "RS256", "typ": "at+jwt", "kid": provider.signing_kid}
    assert decoded.claims["exp"] < decoded.claims["iat"]
    private_kids = {key["kid"] for key in provider.jwks_private["keys"]}
    assert "d" in provider.jwks_private["keys"][0]
    assert {key["kid"] for key in provider.jwks()["keys"]} == private_kids
    assert all("d" not in key for key in provider.jwks()["keys"])


def test_restart_with_new_keys_rotates_the_signing_key() -> None:
    with OidcProvider(accounts=ACCOUNTS) as op:
        issuer, port = op.issuer, op.port
        old_kids = {key["kid"] for key in op.jwks()["keys"]}
        old_token = op.access_token("alice")
        old_keys = _key_set(op)

        op.restart_with_new_keys()

        assert (op.issuer, op.port) == (issuer, port)
        new_kids = {key["kid"] for key in op.jwks()["keys"]}
        assert new_kids.isdisjoint(old_kids)
        new_token = op.access_token("alice")
        decoded = jwt.decode(new_token, _key_set(op))
        assert decoded.header["kid"] in new_kids
        assert decoded.header["kid"] == op.signing_kid
        assert jwt.decode(old_token, old_keys).claims["sub"] == "alice"
        with pytest.raises(InvalidKeyIdError):
            jwt.decode(old_token, _key_set(op))

        op.restart_with_new_keys(keep_old_keys=True)

        published = {key["kid"] for key in op.jwks()["keys"]}
        assert new_kids < published
        assert jwt.decode(op.access_token("alice"), _key_set(op)).header["kid"] not in new_kids


def test_consent_form_and_client_secret_post() -> None:
    with OidcProvider(
        accounts=ACCOUNTS,
        auto_consent=False,
        token_endpoint_auth_method="client_secret_post",
        audience="https://custom-audience.example.test",
        access_token_ttl=60,
    ) as op:
        decoded = jwt.decode(op.access_token("bob"), _key_set(op))

    assert decoded.claims["aud"] == "https://custom-audience.example.test"
    assert decoded.claims["exp"] - decoded.claims["iat"] == 60
    assert not op.running
