"""What three `mitmachen serve` processes behind haproxy share: rate-limit counters (Redis) and browser sessions (a
cookie signed with `MITMACHEN_SESSION_SECRET` that names a row in `web_sessions`).

Round robin sends consecutive calls to different processes; the session checks also call each process directly, so
that "made on one, used on the others" does not depend on the balancer's order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from mitmachen.runtime import Runtime
from service.config import Settings
from tests.support.balancer import haproxy
from tests.support.ideas import count_rows, idea_gid, insert_idea_directly
from tests.support.oidc_provider import OidcProvider
from tests.support.people import person
from tests.support.server import ServeProcess, serve_process

APIS = 3
PER_PERSON = 4
# The longest window (a day): the calls of one test straddle two windows only if run across midnight UTC.
WINDOW_SECONDS = 86_400
SESSION_SECRET = "shared-session-secret-0123456789abcdef"
SESSION_COOKIE = "mitmachen_session"
CSRF_COOKIE = "mitmachen_csrf"
ME = "{ me { user { displayName } } }"
COMMENT = """
mutation Comment($input: CommentOnIdeaInput!) {
  commentOnIdea(input: $input) { __typename ... on UserError { code message } }
}
"""


@contextmanager
def _apis(settings: Settings, directory: Path, **extra: str) -> Iterator[list[ServeProcess]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(serve_process(settings, directory / f"serve{number}.log", **extra))
            for number in range(APIS)
        ]


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


async def test_the_rate_limit_of_one_person_holds_across_the_processes_behind_the_balancer(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    clara = await person(runtime, oidc_provider, "clara")
    omar = await person(runtime, oidc_provider, "omar")
    idea = idea_gid(await insert_idea_directly(runtime, author_id=omar.user_id, town="soest", title="Mehr Bänke"))
    comment = {"query": COMMENT, "variables": {"input": {"ideaId": idea, "body": "Gute Idee!"}}}
    limits = {
        "MITMACHEN_RATE_LIMIT_PER_PERSON": str(PER_PERSON),
        "MITMACHEN_RATE_LIMIT_WINDOW_SECONDS": str(WINDOW_SECONDS),
    }

    with _apis(settings, tmp_path, **limits) as servers, haproxy(tmp_path, servers) as url:
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0) as http:
            claras = [(await http.post("/graphql", json=comment, headers=clara.headers)).json() for _ in range(7)]
            omars = (await http.post("/graphql", json=comment, headers=omar.headers)).json()
        served = [server.output().count("POST /graphql") for server in servers]

    # Each process alone saw fewer calls than the limit; together they refused every call beyond it.
    assert all(0 < posts < PER_PERSON for posts in served), served
    assert [body["data"]["commentOnIdea"]["__typename"] for body in claras[:PER_PERSON]] == ["CommentPosted"] * 4
    assert all(_codes(body) == ["RATE_LIMITED"] for body in claras[PER_PERSON:]), claras[PER_PERSON:]
    assert omars["data"]["commentOnIdea"]["__typename"] == "CommentPosted"
    assert await count_rows(runtime, "comments") == PER_PERSON + 1


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def _me(url: str, session_cookie: str, csrf: str) -> Any:
    """`me` as a browser with these cookies sees it from the process (or balancer) at `url`."""
    cookies = {SESSION_COOKIE: session_cookie, CSRF_COOKIE: csrf}
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0, cookies=cookies) as http:
        response = await http.post("/graphql", json={"query": ME}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    return response.json()["data"]["me"]


async def test_a_browser_session_made_on_one_process_works_on_the_others_and_logout_on_one_ends_it_on_all(
    settings: Settings, runtime: Runtime, oidc_provider: OidcProvider, tmp_path: Path
) -> None:
    login = {
        "MITMACHEN_OIDC_CLIENT_ID": oidc_provider.client_id,
        "MITMACHEN_OIDC_CLIENT_SECRET": oidc_provider.client_secret,
    }
    with ExitStack() as stack:
        servers = stack.enter_context(_apis(settings, tmp_path, MITMACHEN_SESSION_SECRET=SESSION_SECRET, **login))
        # A process with a secret of its own (dev and test make one per process when none is set).
        stranger = stack.enter_context(serve_process(settings, tmp_path / "stranger.log", **login))
        url = stack.enter_context(haproxy(tmp_path, servers))
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=30.0) as browser:
            # The login's state travels in the cookie from one process (the redirect) to the next (the callback).
            start = await browser.get("/auth/login", params={"next": "/ideen"})
            assert start.status_code in {302, 303, 307}, start.text
            back = await asyncio.to_thread(oidc_provider.complete_login, start.headers["location"], "clara")
            callback = await browser.get(_path_and_query(back))
            assert callback.status_code == 303, callback.text
            cookie, csrf = browser.cookies[SESSION_COOKIE], browser.cookies[CSRF_COOKIE]

            everywhere = [await _me(served.url, cookie, csrf) for served in servers]
            through_balancer = [await _me(url, cookie, csrf) for _ in range(APIS)]
            elsewhere = await _me(stranger.url, cookie, csrf)

            ending = await browser.post(f"{servers[2].url}/auth/logout", headers={"X-CSRF-Token": csrf})
            assert ending.status_code in {302, 303, 307}, ending.text
            after = [await _me(served.url, cookie, csrf) for served in servers]
        logins = [served.output().count("GET /auth/") for served in servers]

    assert sorted(logins) == [0, 1, 1], f"login and callback on two processes: {logins}"
    assert everywhere == through_balancer == [{"user": {"displayName": "Clara Citizen"}}] * APIS
    assert elsewhere is None, "a process with another secret does not accept the cookie"
    assert after == [None] * APIS
