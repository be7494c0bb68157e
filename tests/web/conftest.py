"""Browser tests: one `mitmachen dev` for the run (demo data, development login, worker) on a database of its own,
and one Chromium. A failing test leaves a screenshot of each page it used in `test-artifacts/`, and those of its
steps (taken with the `step_screenshots` fixture) in `test-artifacts/<test name>/`."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis
from playwright.async_api import Browser, async_playwright
from sqlalchemy import make_url

from tests.support.browser import DevService, StepScreenshots, chromium_path, dev_service, file_name, screenshot
from tests.support.services import Services

WEB_DATABASE = f"mitmachen_web_{os.getpid()}"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def _recreate(server_url: str, name: str, *, drop_only: bool = False) -> None:
    connection = await asyncpg.connect(server_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def web(services: Services, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DevService]:
    # A Redis database of its own, not the one the other tests empty after each test (the worker's queue is here).
    redis_url = re.sub(r"/\d+$", "", services.redis_url) + f"/{1 + (os.getpid() + 6) % 13}"
    redis.Redis.from_url(redis_url).flushdb()
    await _recreate(services.postgres_server_url, WEB_DATABASE)
    database_url = make_url(services.postgres_server_url).set(database=WEB_DATABASE)
    try:
        with dev_service(
            database_url.render_as_string(hide_password=False), redis_url, tmp_path_factory.mktemp("web")
        ) as service:
            yield service
    finally:
        await _recreate(services.postgres_server_url, WEB_DATABASE, drop_only=True)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture(autouse=True)
async def screenshots_on_failure(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """A failing browser test leaves a full-page screenshot of each page it had open in `test-artifacts/`."""
    yield
    report = getattr(request.node, "call_report", None)
    if report is None or not report.failed or "browser" not in request.fixturenames:
        return
    launched: Browser = request.getfixturevalue("browser")
    ARTIFACTS.mkdir(exist_ok=True)
    name = file_name(request.node.name)
    for context_number, context in enumerate(launched.contexts):
        for page_number, page in enumerate(context.pages):
            await screenshot(page, ARTIFACTS / f"{name}-{context_number}-{page_number}.png")
        await context.close()


@pytest.fixture
def step_screenshots(request: pytest.FixtureRequest) -> Iterator[StepScreenshots]:
    """`await step_screenshots(page, "what was done")` after each step; on failure they stay in
    `test-artifacts/<test name>/`, otherwise the folder is removed."""
    folder = ARTIFACTS / file_name(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    yield StepScreenshots(folder)
    report = getattr(request.node, "call_report", None)
    if report is None or not report.failed:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call":
        item.call_report = report  # type: ignore[attr-defined]
    return report
