"""Apps built with changed settings (environment, limits, origins), called from chosen client addresses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from mitmachen.app import create_app
from mitmachen.runtime import Runtime
from service.config import Settings

AppClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_client(settings: Settings, runtime: Runtime) -> AppClient:
    """`async with app_client(address="203.0.113.7", environment=...) as http:` an app with those settings."""

    @asynccontextmanager
    async def open_client(*, address: str = "127.0.0.1", **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=overrides), runtime)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield http

    return open_client
