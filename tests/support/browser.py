"""The service as `mitmachen dev` runs it (development login, worker, demo data) on a database of its own, and a
real Chromium driven by Playwright, for the browser tests of the pages.

Debian's Chromium (`/usr/bin/chromium`, or `MITMACHEN_CHROMIUM`): in CI a missing browser fails the run, it is
never skipped. Every request a page makes is recorded, so tests can check that all go to the service's origin.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Locator, Page, Request, ViewportSize

from mitmachen.embedded import free_port
from tests.support.keyboard import MOUSE, Hands
from tests.support.server import stop, wait_until_answering

PROJECT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90.0
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOT_SIZE: ViewportSize = {"width": 1280, "height": 800}


def chromium_path() -> str:
    path = os.environ.get("MITMACHEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium is missing: `apt-get install chromium` (the browser tests need it)")
    return path


@dataclass
class DevService:
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def dev_service(database_url: str, redis_url: str, data_dir: Path) -> Iterator[DevService]:
    """`mitmachen dev` on 127.0.0.1 with the given database and Redis; stopped (with its worker) on exit."""
    port = free_port()
    log = data_dir / "dev.log"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MITMACHEN_")}
    environment |= {
        "MITMACHEN_DATABASE_URL": database_url,
        "MITMACHEN_REDIS_URL": redis_url,
        "MITMACHEN_DATA_DIR": str(data_dir),
        "MITMACHEN_DATABASE_POOL_SIZE": "4",
        "MITMACHEN_RATE_LIMIT_PER_ADDRESS": "100000",
        "MITMACHEN_RATE_LIMIT_PER_PERSON": "100000",
        "MITMACHEN_QUERY_BUDGET_ENABLED": "false",
    }
    with log.open("ab") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "mitmachen", "dev", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    service = DevService(f"http://127.0.0.1:{port}", log)
    try:
        wait_until_answering(process, f"{service.url}/readyz", log, seconds=STARTUP_SECONDS, what="mitmachen dev")
        yield service
    finally:
        stop(process, grace=20)


@dataclass
class RequestLog:
    """Every URL the browser asked for."""

    urls: list[str] = field(default_factory=list)

    def record(self, request: Request) -> None:
        self.urls.append(request.url)

    def foreign(self, origin: str) -> list[str]:
        return [url for url in self.urls if not url.startswith(origin + "/") and not url.startswith("data:")]


async def new_page(
    browser: Browser, *, javascript: bool = True, locale: str = "de-DE", **options: Any
) -> tuple[Page, RequestLog]:
    context = await browser.new_context(java_script_enabled=javascript, locale=locale, **options)
    page = await context.new_page()
    requests = RequestLog()
    page.on("request", requests.record)
    return page, requests


async def accessibility_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (`id: first target` each).

    Runs with JavaScript on (axe is a script): for a page opened without JavaScript, the tests open the same state
    in a context with JavaScript to check it."""
    result = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{violation['id']}: {violation['nodes'][0]['target'] if violation['nodes'] else ''} ({violation['help']})"
        for violation in result.response["violations"]
    ]


async def readme_screenshot(page: Page, name: str, *, showing: Locator | None = None) -> None:
    """When `MITMACHEN_SCREENSHOTS` names a directory, the page as it is now saved there as `<name>.png` for the
    README: 1280 by 800 pixels of it, from the top or from where `showing` is (`docs/screenshots/` holds the
    committed ones). Without the variable, nothing."""
    folder = os.environ.get("MITMACHEN_SCREENSHOTS")
    if not folder:
        return
    size = page.viewport_size
    await page.set_viewport_size(SCREENSHOT_SIZE)
    if showing is not None:
        await showing.evaluate("element => element.scrollIntoView({block: 'start', behavior: 'instant'})")
    await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False, animations="disabled", caret="hide")
    if size is not None:
        await page.set_viewport_size(size)


async def log_in(page: Page, base_url: str, person_name: str, hands: Hands = MOUSE) -> None:
    """Through the header's login link (unless the page already sent the browser to the login) and the
    development provider's form: chooses the demo person."""
    if "/dev/idp/" not in page.url:
        await hands.press(page.get_by_role("link", name="Anmelden").first)
        await page.wait_for_url("**/dev/idp/**")
    await hands.press(page.get_by_role("button", name=person_name))
    await page.wait_for_url(f"{base_url}/**")


class StepScreenshots:
    """A full-page screenshot after each step of a test, numbered in order, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken = 0

    async def __call__(self, page: Page, step: str) -> None:
        self.taken += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        await screenshot(page, self.folder / f"{self.taken:02d}-{file_name(step)}.png")


async def screenshot(page: Page, path: Path) -> None:
    """A full-page screenshot, if the page can still take one (a failing test may have left it closed)."""
    try:
        await page.screenshot(path=str(path), full_page=True)
    except Exception:
        return


def file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)
