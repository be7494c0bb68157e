"""Steps of the idea browser tests: submitting an idea through its form, and waiting for the worker's check."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.support.keyboard import MOUSE, Hands

CHECKED_WITHIN_SECONDS = 60


async def wait_until_shown(page: Page, locator: Locator) -> None:
    """The worker checks what people submit: reload until `locator` shows what it did."""
    for _ in range(CHECKED_WITHIN_SECONDS * 2):
        if await locator.count():
            return
        await page.wait_for_timeout(500)
        await page.reload()
    await expect(locator.first).to_be_visible()


async def fill_in_and_submit(page: Page, title: str, body: str, hands: Hands = MOUSE) -> None:
    """On the open form "Idee einreichen": title and text, sent; the idea's page shows it."""
    await hands.type(page.get_by_label("Titel", exact=True), title)
    await hands.type(page.get_by_label("Beschreibung", exact=True), body)
    await hands.press(page.get_by_role("button", name="Idee einreichen"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)


async def submit(page: Page, base_url: str, title: str, body: str) -> None:
    """A Soest idea through the form."""
    await page.goto(base_url + "/ideen/neu?ort=soest")
    await fill_in_and_submit(page, title, body)
