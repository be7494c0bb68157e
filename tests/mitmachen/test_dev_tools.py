"""What `mitmachen dev` offers a developer in the browser: GraphiQL that works when logged in, the development
login's index of demo people, and tokens for scripts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mitmachen.app import create_app
from mitmachen.authentication import CSRF_COOKIE, CSRF_HEADER
from mitmachen.runtime import Runtime
from service.config import Environment, Settings


@pytest.fixture
async def dev_http(settings: Settings, runtime: Runtime, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app as `mitmachen dev` builds it (development login, GraphiQL), on the test database."""
    dev = settings.model_copy(update={"environment": Environment.DEV, "data_dir": tmp_path})
    app = create_app(dev, runtime)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def test_graphiql_sends_the_csrf_header_the_service_checks_from_the_cookie_the_login_sets(
    dev_http: httpx.AsyncClient,
) -> None:
    page = (await dev_http.get("/graphql", headers={"Accept": "text/html"})).text

    assert f'Cookies.get("{CSRF_COOKIE}")' in page
    assert f'defaultHeaders["{CSRF_HEADER}"]' in page
    assert "csrftoken" not in page
    assert CSRF_HEADER.lower() == "x-csrf-token"
    assert CSRF_COOKIE == "mitmachen_csrf"
