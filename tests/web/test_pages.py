"""The pages in Chromium: they render from the service's own origin only, pass axe-core, and work without
JavaScript; the documents they send are valid against the committed schema."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page, readme_screenshot


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_region_and_town_pages_load_only_from_the_service_and_pass_axe(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    page, requests = await new_page(browser, javascript=javascript)
    await page.goto(web.url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mitmachen in Südwestfalen")
    await readme_screenshot(page, "region-home")
    await page.get_by_role("link", name="Soest").first.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Soest")
    await readme_screenshot(page, "town-page")
    await page.get_by_label("Suche").fill("Radweg")
    await page.get_by_role("button", name="Anzeigen").click()
    await expect(page).to_have_url(f"{web.url}/orte/soest?suche=Radweg&handlungsfeld=&status=&reihenfolge=NEWEST")
    assert requests.foreign(web.url) == []
    await page.context.close()
    checked, _ = await new_page(browser)
    for path in ("/", "/orte/soest", "/orte/soest?suche=Radweg", "/barrierefreiheit", "/gibt-es-nicht"):
        await checked.goto(web.url + path)
        assert await accessibility_violations(checked) == [], path
    await checked.context.close()


async def test_login_returns_to_the_page_and_the_header_names_the_person(web: DevService, browser: Browser) -> None:
    page, _ = await new_page(browser)
    await page.goto(web.url + "/orte/olpe")
    await log_in(page, web.url, "Clara Citizen (Soest)")
    await expect(page).to_have_url(web.url + "/orte/olpe")
    await expect(page.get_by_role("banner")).to_contain_text("Angemeldet als Clara Citizen (Soest)")
    assert await accessibility_violations(page) == []
    await page.get_by_role("button", name="Abmelden").click()
    await expect(page.get_by_role("link", name="Anmelden")).to_be_visible()
    await page.context.close()


async def test_english_when_the_browser_asks_and_by_the_switch(web: DevService, browser: Browser) -> None:
    page, _ = await new_page(browser, locale="en-GB")
    await page.goto(web.url + "/")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Take part in South Westphalia")
    await page.get_by_role("link", name="Deutsch").click()
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await expect(page).to_have_url(web.url + "/")
    await page.context.close()


async def test_the_developer_console_renders_offline_and_runs_a_query(web: DevService, browser: Browser) -> None:
    page, requests = await new_page(browser)
    await page.goto(web.url + "/entwickler")
    await expect(page.locator(".graphiql-container")).to_be_visible(timeout=15_000)
    await expect(page.get_by_text("Loading...")).to_have_count(0)
    await page.get_by_role("button", name="Execute query").click()
    await expect(page.locator(".result-window")).to_contain_text('"slug": "arnsberg"', timeout=10_000)
    assert requests.foreign(web.url) == []
    await page.context.close()
