"""The development OpenID provider of `mitmachen dev`: a real code flow with PKCE, tokens the service accepts."""

from __future__ import annotations

import base64
import hashlib
import secrets
import stat
from collections.abc import AsyncIterator, Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.routing import Mount

from mitmachen import dev_idp
from mitmachen.dev_idp import dev_identity_provider
from service.auth.demo import DEMO_PEOPLE, DemoPerson
from service.auth.tokens import AccessTokenValidator, TokenRejected

ISSUER = "http://127.0.0.1:8000/dev/idp"
AUDIENCE = "mitmachen"
CLIENT_ID = "mitmachen-dev"
CLIENT_SECRET = "dev-secret-not-for-production"
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback"
CLARA = DEMO_PEOPLE[0]


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the login page: hidden fields, the people's buttons, links."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.hidden: dict[str, str] = {}
        self.subjects: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = attributes.get("action")
            self.method = attributes.get("method")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes["name"]] = attributes["value"]
        elif tag == "button" and attributes.get("name") == "subject":
            self.subjects.append(attributes["value"])
        elif tag == "a":
            self.links.append(attributes["href"])


def _read_form(page: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(page)
    return reader


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorization_params(challenge: str, **overrides: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return {name: value for name, value in params.items() if value is not None}


def _build(key_path: Path, people: tuple[DemoPerson, ...] = DEMO_PEOPLE) -> Starlette:
    idp = dev_identity_provider(
        issuer=ISSUER,
        audience=AUDIENCE,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        key_path=key_path,
        people=people,
        environment_is_dev=True,
    )
    return Starlette(routes=[Mount("/dev/idp", app=idp)])


@pytest.fixture(scope="module")
def key_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-idp") / "keys" / "signing-key.json"


@pytest.fixture
async def http(key_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_build(key_path))
    async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield client


async def _key_set(http: httpx.AsyncClient) -> KeySet:
    discovery = (await http.get("/.well-known/openid-configuration")).json()
    return KeySet.import_key_set((await http.get(discovery["jwks_uri"])).json())


async def _log_in(http: httpx.AsyncClient, params: dict[str, str], subject: str = CLARA.subject) -> str:
    """Shows the login page, picks `subject` as a browser would and returns the code from the redirect."""
    page = await http.get("/authorize", params=params)
    assert page.status_code == 200
    form = _read_form(page.text)
    assert form.method == "post"
    assert subject in form.subjects
    assert form.hidden == params
    response = await http.post(str(page.url.join(form.action or "")), data={**form.hidden, "subject": subject})
    assert response.status_code in {302, 303}
    location = response.headers["location"]
    assert location.startswith(params["redirect_uri"])
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [params["state"]]
    assert query["iss"] == [ISSUER]
    return query["code"][0]


async def _exchange(
    http: httpx.AsyncClient,
    code: str,
    verifier: str,
    *,
    redirect_uri: str = REDIRECT_URI,
    secret: str = CLIENT_SECRET,
) -> httpx.Response:
    return await http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, secret),
    )


def _assert_token_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def test_refuses_to_build_outside_dev_mode(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="dev"):
        dev_identity_provider(
            issuer=ISSUER,
            audience=AUDIENCE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            key_path=tmp_path / "key.json",
            people=DEMO_PEOPLE,
            environment_is_dev=False,
        )
    assert not (tmp_path / "key.json").exists()


async def test_discovery_document_describes_the_provider(http: httpx.AsyncClient) -> None:
    response = await http.get("/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert document["token_endpoint"] == f"{ISSUER}/token"
    assert document["jwks_uri"] == f"{ISSUER}/jwks"
    assert document["end_session_endpoint"] == f"{ISSUER}/logout"
    assert document["response_types_supported"] == ["code"]
    assert document["grant_types_supported"] == ["authorization_code"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["public"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert {"openid", "profile", "email"} <= set(document["scopes_supported"])
    assert {"sub", "name", "email", "nonce"} <= set(document["claims_supported"])


async def test_jwks_publishes_only_the_public_signing_key(http: httpx.AsyncClient) -> None:
    keys = (await http.get("/jwks")).json()["keys"]

    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["alg"] == "RS256"
    assert keys[0]["use"] == "sig"
    assert keys[0]["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(keys[0])


async def test_code_flow_with_pkce_yields_tokens_signed_by_the_served_keys(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    params = _authorization_params(challenge)
    code = await _log_in(http, params)

    response = await _exchange(http, code, verifier)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "openid profile email"
    keys = await _key_set(http)
    kid = keys.keys[0].kid

    access = jwt.decode(body["access_token"], keys, algorithms=["RS256"])
    assert access.header == {"alg": "RS256", "typ": "at+jwt", "kid": kid}
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        sub={"essential": True, "value": CLARA.subject},
    ).validate(access.claims)
    assert access.claims["client_id"] == CLIENT_ID
    assert access.claims["scope"] == "openid profile email"
    assert access.claims["exp"] - access.claims["iat"] == 3600
    assert access.claims["nbf"] == access.claims["iat"]
    assert access.claims["jti"]

    identity = jwt.decode(body["id_token"], keys, algorithms=["RS256"])
    assert identity.header == {"alg": "RS256", "typ": "JWT", "kid": kid}
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": CLIENT_ID},
        sub={"essential": True, "value": CLARA.subject},
        nonce={"essential": True, "value": params["nonce"]},
    ).validate(identity.claims)
    assert identity.claims["name"] == CLARA.name
    assert identity.claims["email"] == CLARA.email
    assert identity.claims["email_verified"] is True
    assert identity.claims["auth_time"] <= identity.claims["iat"] < identity.claims["exp"]


async def test_the_service_accepts_the_access_token_through_its_production_validator(
    http: httpx.AsyncClient,
) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge), subject="demo-region")
    body = (await _exchange(http, code, verifier)).json()

    validator = AccessTokenValidator([ISSUER], AUDIENCE, http=http)
    identity = await validator.validate(body["access_token"])

    assert identity.issuer == ISSUER
    assert identity.subject == "demo-region"
    with pytest.raises(TokenRejected):
        await validator.validate(body["id_token"])


async def test_client_secret_post_is_accepted_and_the_nonce_is_optional(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge, nonce=None))

    response = await http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )

    assert response.status_code == 200
    claims = jwt.decode(response.json()["id_token"], await _key_set(http)).claims
    assert "nonce" not in claims


async def test_a_code_is_redeemed_only_once(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge))
    assert (await _exchange(http, code, verifier)).status_code == 200

    _assert_token_error(await _exchange(http, code, verifier), 400, "invalid_grant")


async def test_a_wrong_code_verifier_is_refused_and_spends_the_code(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge))
    other_verifier, _ = _pkce()

    _assert_token_error(await _exchange(http, code, other_verifier), 400, "invalid_grant")
    _assert_token_error(await _exchange(http, code, verifier), 400, "invalid_grant")


async def test_the_redirect_uri_must_match_the_authorization_request(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge))

    response = await _exchange(http, code, verifier, redirect_uri="http://127.0.0.1:8000/other")

    _assert_token_error(response, 400, "invalid_grant")


async def test_an_expired_code_is_refused(http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge))
    now: Callable[[], float] = dev_idp._now
    monkeypatch.setattr(dev_idp, "_now", lambda: now() + 61)

    _assert_token_error(await _exchange(http, code, verifier), 400, "invalid_grant")


async def test_a_wrong_client_secret_is_unauthorized(http: httpx.AsyncClient) -> None:
    verifier, challenge = _pkce()
    code = await _log_in(http, _authorization_params(challenge))

    response = await _exchange(http, code, verifier, secret="guessed")

    _assert_token_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_missing_client_authentication_is_unauthorized(http: httpx.AsyncClient) -> None:
    response = await http.post("/token", data={"grant_type": "authorization_code", "code": "x"})

    _assert_token_error(response, 401, "invalid_client")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code", "code": "x"}, "invalid_request"),
        ({}, "invalid_request"),
    ],
)
async def test_malformed_token_requests_get_oauth_errors(
    http: httpx.AsyncClient, data: dict[str, str], error: str
) -> None:
    response = await http.post("/token", data=data, auth=(CLIENT_ID, CLIENT_SECRET))

    _assert_token_error(response, 400, error)


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "http://127.0.0.1.evil.example/callback",
        "http://127.0.0.1:8000@evil.example/callback",
        "https://127.0.0.1:8000/callback",
        "http://localhost:5173/callback#fragment",
    ],
)
async def test_a_foreign_redirect_uri_gets_an_error_page_and_no_redirect(
    http: httpx.AsyncClient, redirect_uri: str
) -> None:
    _, challenge = _pkce()
    params = _authorization_params(challenge, redirect_uri=redirect_uri)

    page = await http.get("/authorize", params=params)
    submitted = await http.post("/authorize", data={**params, "subject": CLARA.subject})

    for response in (page, submitted):
        assert response.status_code == 400
        assert "location" not in response.headers
        assert "redirect_uri" in response.text


async def test_localhost_redirect_uris_on_any_port_are_accepted(http: httpx.AsyncClient) -> None:
    _, challenge = _pkce()
    params = _authorization_params(challenge, redirect_uri="http://localhost:5173/auth/callback?from=spa")

    code = await _log_in(http, params)

    response = await http.post("/authorize", data={**params, "subject": CLARA.subject})
    assert code
    assert parse_qs(urlsplit(response.headers["location"]).query)["from"] == ["spa"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"code_challenge": None}, "code_challenge"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"code_challenge_method": None}, "code_challenge_method"),
        ({"response_type": "token"}, "response_type"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"state": None}, "state"),
    ],
)
async def test_invalid_authorization_requests_are_named_on_an_error_page(
    http: httpx.AsyncClient, overrides: dict[str, str | None], named: str
) -> None:
    _, challenge = _pkce()

    response = await http.get("/authorize", params=_authorization_params(challenge, **overrides))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert named in response.text


async def test_an_unknown_person_cannot_be_chosen(http: httpx.AsyncClient) -> None:
    _, challenge = _pkce()

    response = await http.post("/authorize", data={**_authorization_params(challenge), "subject": "nobody"})

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_the_login_page_lists_the_people_and_escapes_what_it_echoes(http: httpx.AsyncClient) -> None:
    _, challenge = _pkce()
    hostile = '"><script>alert(1)</script>'
    params = _authorization_params(challenge, state=hostile)

    response = await http.get("/authorize", params=params)

    assert response.status_code == 200
    assert "Entwicklungs-Anmeldung — nur im Entwicklungsmodus" in response.text
    assert "<script>" not in response.text
    assert response.headers["cache-control"] == "no-store"
    form = _read_form(response.text)
    assert form.hidden["state"] == hostile
    assert form.subjects == [person.subject for person in DEMO_PEOPLE]
    for person in DEMO_PEOPLE:
        assert person.description in response.text
    assert "Token für GraphiQL anzeigen" in response.text
    assert f"token-for/{CLARA.subject}" in form.links


async def test_the_developer_page_shows_a_fresh_access_token_only(http: httpx.AsyncClient) -> None:
    page = await http.get(f"/token-for/{CLARA.subject}")

    assert page.status_code == 200
    tokens = [word for word in page.text.replace("<", " ").replace(">", " ").split() if word.count(".") == 2]
    assert len(tokens) == 1
    decoded = jwt.decode(tokens[0], await _key_set(http))
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["sub"] == CLARA.subject
    assert decoded.claims["aud"] == AUDIENCE
    assert (await http.get("/token-for/nobody")).status_code == 404


async def test_logout_returns_to_a_loopback_address_with_the_state(http: httpx.AsyncClient) -> None:
    target = "http://127.0.0.1:8000/signed-out"

    back = await http.get("/logout", params={"post_logout_redirect_uri": target, "state": "s1"})
    foreign = await http.get("/logout", params={"post_logout_redirect_uri": "https://evil.example/"})
    plain = await http.get("/logout")

    assert back.status_code in {302, 303}
    assert back.headers["location"] == f"{target}?state=s1"
    assert foreign.status_code == 400
    assert "location" not in foreign.headers
    assert plain.status_code == 200
    assert "Abgemeldet" in plain.text


async def test_the_signing_key_persists_across_instances(tmp_path: Path) -> None:
    key_path = tmp_path / "nested" / "dir" / "dev-idp-key.json"
    kids: list[str] = []
    for _ in range(2):
        transport = httpx.ASGITransport(app=_build(key_path))
        async with httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
            kids.append((await client.get("/jwks")).json()["keys"][0]["kid"])

    assert kids[0] == kids[1]
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert [path.name for path in key_path.parent.iterdir()] == [key_path.name]
