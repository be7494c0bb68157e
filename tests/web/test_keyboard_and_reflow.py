"""Without a mouse and on a small screen: the pages work by keyboard alone with a visible focus, and reflow at
320 CSS pixels (a phone) and at 200 % zoom (640 CSS pixels of a 1280 pixel window) without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from tests.support.browser import DevService, log_in, new_page
from tests.support.keyboard import KEYBOARD
from tests.support.markers import new_marker
from tests.web.idea_steps import fill_in_and_submit

PAGES = ("/", "/orte/soest", "/barrierefreiheit", "/ideen/neu?ort=soest", "/konsole")


async def test_log_in_and_submit_an_idea_by_keyboard_alone(web: DevService, browser: Browser) -> None:
    page, _ = await new_page(browser)
    await page.goto(web.url + "/orte/soest")
    await log_in(page, web.url, "Clara Citizen (Soest)", KEYBOARD)
    await page.wait_for_url(web.url + "/orte/soest")
    await KEYBOARD.press(page.get_by_role("link", name="Idee einreichen"))
    await page.wait_for_url("**/ideen/neu**")
    title = f"Trinkbrunnen am Bahnhof {new_marker(6)}"
    await fill_in_and_submit(page, title, "Im Sommer fehlt am Bahnhof Wasser zum Trinken.", KEYBOARD)
    await page.context.close()


@pytest.mark.parametrize("width", [320, 640], ids=["phone", "zoom-200"])
async def test_pages_reflow_without_scrolling_sideways(web: DevService, browser: Browser, width: int) -> None:
    page, _ = await new_page(browser, viewport={"width": width, "height": 800})
    for path in PAGES:
        await page.goto(web.url + path)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px too wide at {width} px"
    await page.context.close()
