"""The moderators' console in Chromium: every console page passes axe, words for the list, staff answering ideas; the
console is offered only to people with a role, and the API's refusal is what others see (the journey of a held
idea through rejection, appeal and restoring is in test_admin_console.py)."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page
from tests.support.markers import new_marker


async def _submit_idea(page: Page, web: DevService, title: str, body: str) -> str:
    await page.goto(web.url + "/ideen/neu?ort=soest")
    await page.get_by_label("Titel", exact=True).fill(title)
    await page.get_by_label("Beschreibung", exact=True).fill(body)
    await page.get_by_role("button", name="Idee einreichen").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


async def test_every_console_page_passes_axe_and_others_are_refused(web: DevService, browser: Browser) -> None:
    moderator, _ = await new_page(browser)
    await moderator.goto(web.url + "/konsole")
    await log_in(moderator, web.url, "Mia Moderation (Soest)")
    for path in ("/konsole", "/konsole/soest/moderation", "/konsole/soest/woerter", "/konsole/soest/protokoll"):
        await moderator.goto(web.url + path)
        assert await accessibility_violations(moderator) == [], path
    # A word for the list, first wrong (too short), then right; then gone again.
    await moderator.goto(web.url + "/konsole/soest/woerter")
    await moderator.get_by_label("Neuer Eintrag").fill("ab")
    await moderator.get_by_role("button", name="Hinzufügen").click()
    await expect(moderator.get_by_role("alert")).to_contain_text("Es gibt ein Problem")
    assert await accessibility_violations(moderator) == []
    word = f"quatsch{new_marker(4)}*"
    await moderator.get_by_label("Neuer Eintrag").fill(word)
    await moderator.get_by_role("button", name="Hinzufügen").click()
    await expect(moderator.get_by_role("row", name=word)).to_be_visible()
    await moderator.get_by_role("row", name=word).get_by_role("button").click()
    await expect(moderator.get_by_role("row", name=word)).to_have_count(0)
    # Staff of another town and a citizen: the API refuses, the page says so.
    citizen, _ = await new_page(browser)
    await citizen.goto(web.url + "/")
    await log_in(citizen, web.url, "Sven Staff (Olpe)")
    response = await citizen.goto(web.url + "/konsole/soest/moderation")
    assert response is not None
    assert response.status == 403
    assert await accessibility_violations(citizen) == []
    await moderator.context.close()
    await citizen.context.close()


async def _published_idea(browser: Browser, web: DevService, title: str) -> None:
    """An idea of Clara's in Soest, published: by the checks, or by Mia when the town's policy holds it."""
    author, _ = await new_page(browser)
    await author.goto(web.url + "/")
    await log_in(author, web.url, "Clara Citizen (Soest)")
    idea_url = await _submit_idea(author, web, title, "Mehr Bänke im Stadtpark, damit Ältere unterwegs rasten können.")
    moderator, _ = await new_page(browser)
    await moderator.goto(web.url + "/konsole/soest/moderation")
    await log_in(moderator, web.url, "Mia Moderation (Soest)")
    visitor, _ = await new_page(browser)
    for _ in range(60):
        if (response := await visitor.goto(idea_url)) is not None and response.status == 200:
            break
        await moderator.goto(web.url + "/konsole/soest/moderation")
        item = moderator.locator("article", has_text=title)
        if await item.count():
            await item.get_by_label("Veröffentlichen").check()
            await item.get_by_label("Begründung (die Person liest sie)").fill("Passt.")
            await item.get_by_role("button", name="Entscheiden").click()
        await visitor.wait_for_timeout(500)
    for page in (author, moderator, visitor):
        await page.context.close()


async def test_staff_answer_an_idea_and_see_it_as_citizens_do(web: DevService, browser: Browser) -> None:
    title = f"Bänke im Stadtpark {new_marker(6)}"
    await _published_idea(browser, web, title)
    staff, _ = await new_page(browser)
    await staff.goto(web.url + "/konsole")
    await log_in(staff, web.url, "Sara Staff (Soest)")
    await staff.goto(web.url + "/konsole/soest/ideen")
    assert await accessibility_violations(staff) == []
    first = staff.locator("article", has_text=title)
    await first.get_by_label("Neuer Stand").select_option("ACCEPTED")
    answer = f"Wir setzen das im Frühjahr um ({new_marker(4)})."
    await first.get_by_label("Antwort an alle").fill(answer)
    await first.get_by_role("button", name="Antwort veröffentlichen").click()
    await expect(staff.get_by_role("status").first).to_contain_text("Die Antwort ist veröffentlicht.")
    await staff.get_by_role("link", name=title).first.click()
    await expect(staff.locator("main")).to_contain_text(answer)
    await staff.context.close()
