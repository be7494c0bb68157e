"""The README's screenshots: the browser tests save them through one helper only when `MITMACHEN_SCREENSHOTS` names
a directory, each 1280 by 800 pixels; the committed ones are the pages the README links, small PNGs."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.support.browser import new_page, readme_screenshot

PROJECT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"
LARGEST_BYTES = 150_000


def _size(png: bytes) -> tuple[int, int]:
    """A PNG's width and height (from its header)."""
    assert png[:8] == PNG
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _saved(folder: Path) -> dict[str, tuple[int, int]]:
    return {path.name: _size(path.read_bytes()) for path in folder.glob("*.png")} if folder.exists() else {}


async def test_a_screenshot_is_saved_only_when_asked_for_and_from_where_it_is_told(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, _ = await new_page(browser, viewport={"width": 320, "height": 640})
    await page.set_content("<h1>Mitmachen</h1>" + "".join(f"<p id='p{n}'>Absatz {n}</p>" for n in range(300)))
    monkeypatch.delenv("MITMACHEN_SCREENSHOTS", raising=False)
    await readme_screenshot(page, "nichts")
    assert _saved(tmp_path) == {}

    folder = tmp_path / "bilder"
    monkeypatch.setenv("MITMACHEN_SCREENSHOTS", str(folder))
    await readme_screenshot(page, "oben")
    await readme_screenshot(page, "weiter-unten", showing=page.locator("#p200"))
    assert _saved(folder) == {"oben.png": (1280, 800), "weiter-unten.png": (1280, 800)}
    assert await page.evaluate("window.scrollY") > 0
    assert page.viewport_size == {"width": 320, "height": 640}  # the test goes on as it was
    await page.context.close()


def test_the_readme_shows_the_committed_screenshots_and_each_is_small() -> None:
    linked = set(re.findall(r"\((docs/screenshots/[\w-]+\.png)\)", (PROJECT / "README.md").read_text()))
    committed = {str(path.relative_to(PROJECT)) for path in (PROJECT / "docs" / "screenshots").glob("*.png")}
    assert len(linked) >= 10
    assert linked == committed
    for name in committed:
        png = (PROJECT / name).read_bytes()
        assert _size(png) == (1280, 800), name
        assert len(png) < LARGEST_BYTES, name
