"""The browser login against the real provider: code flow with PKCE, a session cookie, CSRF on state changes."""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from mitmachen.runtime import Runtime
from service.users.models import User
from tests.support.oidc_provider import OidcProvider

SESSION_COOKIE = "mitmachen_session"
CSRF_COOKIE = "mitmachen_csrf"
ME = "query { me { user { displayName } } }"
ME_EMAIL = "{me{email}}"
CHOOSE_SOEST = 'mutation { chooseHomeTown(townSlug: "soest") { __typename } }'


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _set_cookie(response: httpx.Response, name: str) -> str:
    """The Set-Cookie header for `name`, lower-cased for attribute checks."""
    [header] = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")]
    return header.lower()


async def _start(client: httpx.AsyncClient, next_path: str | None = "/ideen") -> httpx.Response:
    return await client.get("/auth/login", params={"next": next_path} if next_path is not None else {})


async def _provider_callback(provider: OidcProvider, authorization_url: str, account: str = "clara") -> str:
    """Log in at the provider as `account`; the URL it sends the browser back to."""
    return await asyncio.to_thread(provider.complete_login, authorization_url, account)


async def _login(
    client: httpx.AsyncClient, provider: OidcProvider, *, next_path: str | None = "/ideen", account: str = "clara"
) -> httpx.Response:
    """The whole login in the browser; the response of the app's callback."""
    start = await _start(client, next_path)
    callback = await _provider_callback(provider, start.headers["location"], account)
    return await client.get(_path_and_query(callback))


def _csrf(client: httpx.AsyncClient) -> str:
    value = client.cookies.get(CSRF_COOKIE)
    assert value, "the login sets the CSRF cookie"
    return value


async def _post(client: httpx.AsyncClient, query: str, *, csrf: str | None = None) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def _home_town_of(runtime: Runtime, subject: str) -> uuid.UUID | None:
    async with runtime.unit_of_work() as uow, uow.session() as session:
        return await session.scalar(select(User.home_town_id).where(User.subject == subject))


async def test_login_redirects_to_the_provider_with_pkce_state_and_nonce(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    response = await _start(client)

    assert response.status_code in {302, 303, 307}
    location = response.headers["location"]
    assert location.startswith(oidc_provider.discovery()["authorization_endpoint"] + "?")
    params = _query(location)
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"]
    assert params["state"]
    assert params["nonce"]
    assert params["client_id"] == oidc_provider.client_id
    assert params["redirect_uri"] == "http://testserver/auth/callback"
    assert params["response_type"] == "code"
    assert set(params["scope"].split()) >= {"openid", "profile", "email"}


async def test_two_logins_get_different_state_nonce_and_challenge(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    first = _query((await _start(client)).headers["location"])
    second = _query((await _start(client)).headers["location"])

    for name in ("state", "nonce", "code_challenge"):
        assert first[name] != second[name], name


async def test_the_callback_sets_a_session_and_a_csrf_cookie_and_returns_to_next(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    start = await _start(client)
    callback = await _provider_callback(oidc_provider, start.headers["location"])
    assert callback.startswith("http://testserver/auth/callback?")

    response = await client.get(_path_and_query(callback))

    assert response.status_code == 303
    assert response.headers["location"] == "/ideen"
    session = _set_cookie(response, SESSION_COOKIE)
    assert "httponly" in session
    assert "samesite=lax" in session
    csrf = _set_cookie(response, CSRF_COOKIE)
    assert "samesite=lax" in csrf
    assert "httponly" not in csrf, "the page's script reads the CSRF token from this cookie"
    assert client.cookies.get(SESSION_COOKIE)
    assert _csrf(client)


async def test_the_session_identifies_the_person_on_a_post_with_the_csrf_header(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _login(client, oidc_provider)

    response = await _post(client, ME, csrf=_csrf(client))

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"user": {"displayName": "Clara Citizen"}}}}


async def test_a_post_with_the_session_but_without_the_csrf_header_is_forbidden(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _login(client, oidc_provider)

    response = await _post(client, ME)

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "data" not in response.json()


async def test_a_post_with_a_wrong_csrf_header_is_forbidden_and_changes_nothing(
    client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    await _login(client, oidc_provider)

    response = await _post(client, CHOOSE_SOEST, csrf="not-the-token")

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _home_town_of(runtime, "clara") is None


async def test_a_mutation_with_the_session_and_the_csrf_header_takes_effect(
    client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    await _login(client, oidc_provider)

    response = await _post(client, CHOOSE_SOEST, csrf=_csrf(client))

    assert response.json() == {"data": {"chooseHomeTown": {"__typename": "HomeTownChosen"}}}
    assert await _home_town_of(runtime, "clara") is not None


async def test_a_get_query_with_the_session_needs_no_csrf_header(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _login(client, oidc_provider)

    response = await client.get("/graphql", params={"query": ME_EMAIL})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"email": "clara@example.org"}}}


async def test_a_mutation_sent_by_get_is_refused_even_with_the_session(
    client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    await _login(client, oidc_provider)

    response = await client.get("/graphql", params={"query": CHOOSE_SOEST})

    assert response.status_code == 405
    assert await _home_town_of(runtime, "clara") is None


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example", "//evil.example", "/\\evil.example", "evil.example", None],
    ids=["absolute url", "scheme-relative", "backslash", "relative", "none"],
)
async def test_after_login_only_same_site_paths_are_followed(
    next_path: str | None, client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    response = await _login(client, oidc_provider, next_path=next_path)

    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_a_callback_with_a_forged_state_is_refused_and_logs_nobody_in(
    client: httpx.AsyncClient, oidc_provider: OidcProvider, runtime: Runtime
) -> None:
    start = await _start(client)
    callback = await _provider_callback(oidc_provider, start.headers["location"])
    params = _query(callback)
    params["state"] = "forged-" + params["state"]

    response = await client.get(f"/auth/callback?{urlencode(params)}")

    assert response.status_code == 400
    assert CSRF_COOKIE not in client.cookies
    assert (await _post(client, ME)).json() == {"data": {"me": None}}
    async with runtime.unit_of_work() as uow, uow.session() as session:
        assert await session.scalar(select(User.id).where(User.subject == "clara")) is None


async def test_a_callback_cannot_be_replayed(client: httpx.AsyncClient, oidc_provider: OidcProvider) -> None:
    start = await _start(client)
    callback = _path_and_query(await _provider_callback(oidc_provider, start.headers["location"]))
    assert (await client.get(callback)).status_code == 303
    client.cookies.clear()

    replayed = await client.get(callback)

    assert replayed.status_code == 400
    assert (await _post(client, ME)).json() == {"data": {"me": None}}


async def test_a_callback_without_a_login_started_in_this_browser_is_refused(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    start = await _start(client)
    callback = await _provider_callback(oidc_provider, start.headers["location"])
    client.cookies.clear()

    response = await client.get(_path_and_query(callback))

    assert response.status_code == 400
    assert response.json() == {"error": "login_failed", "reason": "mismatching_state"}
    assert SESSION_COOKIE not in client.cookies
    assert CSRF_COOKIE not in client.cookies


async def test_logout_ends_the_session_and_sends_the_browser_to_the_provider(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _login(client, oidc_provider)
    csrf = _csrf(client)
    assert (await _post(client, ME, csrf=csrf)).json()["data"]["me"] is not None

    response = await client.post("/auth/logout", headers={"X-CSRF-Token": csrf})

    assert response.status_code in {302, 303, 307}
    location = response.headers["location"]
    assert location.startswith(oidc_provider.issuer)
    assert location.startswith(oidc_provider.discovery()["end_session_endpoint"])
    assert _query(location).get("post_logout_redirect_uri") == "http://testserver/"
    assert (await _post(client, ME, csrf=csrf)).json() == {"data": {"me": None}}
    assert CSRF_COOKIE not in client.cookies


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_logout_without_a_session_just_goes_home(method: str, client: httpx.AsyncClient) -> None:
    response = await client.request(method, "/auth/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_a_get_of_logout_does_not_end_the_session_but_offers_the_button(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    """Any site can send a browser to a GET URL (a link, an image): that must not log anyone out."""
    await _login(client, oidc_provider)
    csrf = _csrf(client)

    page = await client.get("/auth/logout")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "form-action 'self'" in page.headers["content-security-policy"]
    assert '<form method="post" action="/auth/logout">' in page.text
    assert f'name="csrf" value="{csrf}"' in page.text
    assert (await _post(client, ME, csrf=csrf)).json()["data"]["me"] is not None, "still logged in"


@pytest.mark.parametrize("sent", [None, "wrong-token", ""])
async def test_a_logout_post_without_the_csrf_token_is_refused_and_ends_nothing(
    sent: str | None, client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    """What a cross-site form can send: the cookies (where the browser still sends them), never the token."""
    await _login(client, oidc_provider)
    csrf = _csrf(client)

    as_header = await client.post("/auth/logout", headers={"X-CSRF-Token": sent} if sent is not None else {})
    as_form = await client.post("/auth/logout", data={"csrf": sent} if sent is not None else {})

    assert as_header.status_code == as_form.status_code == 403
    assert (await _post(client, ME, csrf=csrf)).json()["data"]["me"] is not None, "still logged in"


async def test_the_logout_page_s_form_ends_the_session(client: httpx.AsyncClient, oidc_provider: OidcProvider) -> None:
    await _login(client, oidc_provider)
    csrf = _csrf(client)

    response = await client.post("/auth/logout", data={"csrf": csrf})

    assert response.status_code in {302, 303, 307}
    assert response.headers["location"].startswith(oidc_provider.discovery()["end_session_endpoint"])
    assert (await _post(client, ME, csrf=csrf)).json() == {"data": {"me": None}}


async def test_a_session_cookie_copied_before_logout_no_longer_works_after_it(
    client: httpx.AsyncClient, oidc_provider: OidcProvider
) -> None:
    await _login(client, oidc_provider)
    csrf = _csrf(client)
    copied = client.cookies.get(SESSION_COOKIE)
    assert copied
    await client.post("/auth/logout", headers={"X-CSRF-Token": csrf})
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, copied)

    response = await _post(client, ME, csrf=csrf)

    assert response.json() == {"data": {"me": None}}
