"""My page in Chromium, with and without JavaScript: home town, notifications marked read, the export of one's data
down to its download, and the confirmation step of the account's deletion (refused without confirming)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page, readme_screenshot

READY_WITHIN_SECONDS = 60


async def axe_clean(page: Page, javascript: bool) -> None:
    if javascript:
        assert await accessibility_violations(page) == [], page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_home_town_export_download_notifications_and_deletion_refused(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    page, requests = await new_page(browser, javascript=javascript, accept_downloads=True)
    await page.goto(web.url + "/")
    await log_in(page, web.url, "Omar Olpe")
    await page.get_by_label("Mein Ort").select_option(label="Olpe")
    await page.get_by_role("button", name="Als meinen Ort wählen").click()
    await expect(page).to_have_url(web.url + "/")
    await expect(page.get_by_role("banner")).to_contain_text("Ihr Ort: Olpe")
    await axe_clean(page, javascript)

    await page.get_by_role("link", name="Mein Bereich").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mein Bereich")
    for heading in ("Meine Ideen", "Meine Kommentare", "Mein Engagement", "Meine Mitteilungen", "Meine Daten"):
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
    await readme_screenshot(page, "my-page")
    await axe_clean(page, javascript)

    await page.get_by_role("button", name="Meine Daten anfordern").click()
    await expect(page.get_by_role("status").first).to_contain_text("Ihre Daten werden zusammengestellt.")
    await axe_clean(page, javascript)
    download_link = page.get_by_role("link", name="Daten herunterladen")
    for _ in range(READY_WITHIN_SECONDS * 2):
        if await download_link.count():
            break
        await page.wait_for_timeout(500)
        await page.reload()
    await expect(download_link).to_be_visible()
    await expect(page.get_by_role("heading", name="Ihre Daten stehen zum Abruf bereit").first).to_be_visible()
    await axe_clean(page, javascript)
    async with page.expect_download() as started:
        await download_link.click()
    download = await started.value
    document = json.loads(Path(await download.path()).read_text(encoding="utf-8"))  # noqa: ASYNC240 - a small file in a test
    assert "Omar Olpe" in json.dumps(document, ensure_ascii=False)

    await page.get_by_role("button", name="Alle als gelesen markieren").click()
    await expect(page.get_by_role("status").first).to_contain_text("Als gelesen markiert.")
    await expect(page.get_by_role("button", name="Alle als gelesen markieren")).to_have_count(0)

    await page.get_by_role("link", name="Mein Konto löschen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Konto löschen")
    await axe_clean(page, javascript)
    await page.get_by_role("button", name="Konto löschen").click()
    await expect(page.get_by_role("alert").filter(has_text="Es gibt ein Problem")).to_be_visible()
    await expect(page.locator("#fehler-bestaetigung")).to_be_visible()
    await axe_clean(page, javascript)
    await page.goto(web.url + "/mein-bereich")
    await expect(page.get_by_role("banner")).to_contain_text("Angemeldet als Omar Olpe")
    assert requests.foreign(web.url) == []
    await page.context.close()


async def test_my_page_asks_to_log_in_and_comes_back(web: DevService, browser: Browser) -> None:
    page, _ = await new_page(browser, javascript=False)
    await page.goto(web.url + "/mein-bereich")
    await page.get_by_role("button", name="Clara Citizen (Soest)").click()
    await expect(page).to_have_url(web.url + "/mein-bereich")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mein Bereich")
    await page.context.close()
