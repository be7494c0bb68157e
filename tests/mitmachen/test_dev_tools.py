"""What `mitmachen dev` offers a developer in the browser: GraphiQL that works when logged in, the development
login's index of demo people, and tokens for scripts."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from mitmachen.app import create_app
from mitmachen.authentication import CSRF_COOKIE, CSRF_HEADER
from mitmachen.runtime import Runtime
from service.auth.demo import DEMO_PEOPLE
from service.config import Environment, Settings
from service.notifications.service import notify
from tests.support.oidc_provider import OidcProvider
from tests.support.privacy import citizen


@pytest.fixture
async def dev_http(settings: Settings, runtime: Runtime, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app as `mitmachen dev` builds it (development login, GraphiQL), on the test database."""
    dev = settings.model_copy(
        update={"environment": Environment.DEV, "data_dir": tmp_path, "public_url": "http://127.0.0.1:8000"}
    )
    app = create_app(dev, runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def test_graphiql_sends_the_csrf_header_the_service_checks_from_the_cookie_the_login_sets(
    dev_http: httpx.AsyncClient,
) -> None:
    page = (await dev_http.get("/entwickler")).text
    script = (await dev_http.get("/static/graphiql-start.js")).text

    assert '<script src="/static/graphiql-start.js" defer></script>' in page
    assert f'cookie("{CSRF_COOKIE}")' in script
    assert f'"{CSRF_HEADER}": ' in script
    assert "csrftoken" not in script
    assert CSRF_HEADER.lower() == "x-csrf-token"
    assert CSRF_COOKIE == "mitmachen_csrf"


async def test_the_development_login_has_an_index_listing_every_demo_person(dev_http: httpx.AsyncClient) -> None:
    index = await dev_http.get("/dev/idp", follow_redirects=True)

    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    for person in DEMO_PEOPLE:
        assert html.escape(person.name) in index.text
        assert f"/dev/idp/token-for/{person.subject}" in index.text


async def test_token_for_answers_json_to_scripts_with_a_token_the_provider_signed(dev_http: httpx.AsyncClient) -> None:
    person = DEMO_PEOPLE[2]

    answer = await dev_http.get(f"/dev/idp/token-for/{person.subject}", headers={"Accept": "application/json"})
    browser = await dev_http.get(f"/dev/idp/token-for/{person.subject}", headers={"Accept": "text/html,*/*"})
    keys = KeySet.import_key_set((await dev_http.get("/dev/idp/jwks")).json())

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert (body["subject"], body["name"], body["token_type"]) == (person.subject, person.name, "Bearer")
    claims = jwt.decode(body["access_token"], keys).claims
    assert (claims["sub"], claims["iss"]) == (person.subject, "http://127.0.0.1:8000/dev/idp")
    assert browser.headers["content-type"].startswith("text/html")


async def test_an_unknown_subject_is_told_which_demo_people_there_are(dev_http: httpx.AsyncClient) -> None:
    page = await dev_http.get("/dev/idp/token-for/<b>nobody")
    answer = await dev_http.get("/dev/idp/token-for/nobody", headers={"Accept": "application/json"})

    assert page.status_code == 404
    assert "&lt;b&gt;nobody" in page.text
    assert "<b>nobody" not in page.text
    for person in DEMO_PEOPLE:
        assert f"/dev/idp/token-for/{person.subject}" in page.text
    assert answer.status_code == 404
    assert answer.json() == {
        "error": "unknown_subject",
        "subject": "nobody",
        "subjects": [person.subject for person in DEMO_PEOPLE],
    }


def test_the_readme_lists_every_demo_person() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

    for person in DEMO_PEOPLE:
        assert f"`{person.subject}`" in readme, person.subject
        assert person.name in readme, person.name


async def test_dev_mail_shows_the_outbox_escaped(
    dev_http: httpx.AsyncClient, runtime: Runtime, oidc_provider: OidcProvider
) -> None:
    clara = await citizen(runtime, oidc_provider, "clara-mail", "Clara <b>C</b>")
    async with runtime.unit_of_work() as uow, uow.session() as session:
        notify(
            session,
            user_id=clara.person.user_id,
            kind="volunteering.place_offered",
            subject="Ein Platz ist frei <script>alert(1)</script>",
            body="Bitte bestätigen: http://127.0.0.1:8000/x?a=1&b=2\n<img src=x onerror=alert(2)>",
        )

    page = await dev_http.get("/dev/mail")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Ein Platz ist frei &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "a=1&amp;b=2\n&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "clara-mail@mail.example" in page.text
    assert "Clara &lt;b&gt;C&lt;/b&gt;" in page.text
    assert "<script" not in page.text
    assert "<img" not in page.text
    assert "http" not in page.headers["content-security-policy"], "nothing is loaded from elsewhere"
    assert not re.search(r"""(src|href)=["']?https?://""", page.text)


@pytest.mark.parametrize("environment", [Environment.PRODUCTION, Environment.TEST])
async def test_dev_mail_and_the_development_login_are_not_mounted_outside_dev(
    settings: Settings, runtime: Runtime, environment: Environment
) -> None:
    app = create_app(settings.model_copy(update={"environment": environment}), runtime)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000") as http,
    ):
        for path in ("/dev/mail", "/dev/idp/", "/dev/idp/token-for/demo-region"):
            assert (await http.get(path)).status_code == 404, path
