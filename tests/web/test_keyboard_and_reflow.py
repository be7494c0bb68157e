"""Without a mouse and on a small screen: the pages work by keyboard alone with a visible focus, and reflow at
320 CSS pixels (a phone) and at 200 % zoom (640 CSS pixels of a 1280 pixel window) without scrolling sideways."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, new_page

PAGES = ("/", "/orte/soest", "/barrierefreiheit", "/ideen/neu?ort=soest", "/konsole")


async def _tab_to(page: Page, name: str, *, most: int = 60) -> None:
    """Presses Tab until the element with this accessible name (or text) has the focus; checks every focus stop
    is visible (an outline or a box shadow)."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            """() => {
                const element = document.activeElement;
                const style = getComputedStyle(element);
                const visible = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
                    || style.boxShadow !== "none";
                const label = element.labels && element.labels.length ? element.labels[0].innerText : "";
                return {text: (element.innerText || element.value || label || "").trim(), visible};
            }"""
        )
        assert focused["visible"], f"focus not visible on {focused['text']!r}"
        if name in focused["text"]:
            return
    raise AssertionError(f"{name!r} not reached by Tab")


async def test_log_in_and_submit_an_idea_by_keyboard_alone(web: DevService, browser: Browser) -> None:
    page, _ = await new_page(browser)
    await page.goto(web.url + "/orte/soest")
    await _tab_to(page, "Anmelden")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/dev/idp/**")
    await _tab_to(page, "Clara Citizen (Soest)")
    await page.keyboard.press("Enter")
    await page.wait_for_url(web.url + "/orte/soest")
    await _tab_to(page, "Idee einreichen")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/ideen/neu**")
    title = f"Trinkbrunnen am Bahnhof {uuid.uuid4().hex[:6]}"
    await _tab_to(page, "Titel")
    await page.keyboard.type(title)
    await page.keyboard.press("Tab")
    await page.keyboard.type("Im Sommer fehlt am Bahnhof Wasser zum Trinken.")
    await _tab_to(page, "Idee einreichen")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await page.context.close()


@pytest.mark.parametrize("width", [320, 640], ids=["phone", "zoom-200"])
async def test_pages_reflow_without_scrolling_sideways(web: DevService, browser: Browser, width: int) -> None:
    page, _ = await new_page(browser, viewport={"width": width, "height": 800})
    for path in PAGES:
        await page.goto(web.url + path)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px too wide at {width} px"
    await page.context.close()
