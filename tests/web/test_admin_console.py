"""The console for admins and moderators in Chromium: an appeal from the idea page to the queue and back, the town's
roles, the audit log's filters. Pages show only to those who hold the role; the API refuses the rest.

axe runs in the JavaScript runs: the pages are the same server-rendered HTML without it, and axe is a script."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page, readme_screenshot
from tests.support.markers import new_marker
from tests.web.test_moderation_console import _submit_idea


async def _axe(page: Page, javascript: bool) -> None:
    if javascript:
        assert await accessibility_violations(page) == [], page.url


async def _held_item(moderator: Page, web: DevService, title: str) -> None:
    """Waits until the worker's checks hold the idea and the queue shows it."""
    for _ in range(60):
        await moderator.goto(web.url + "/konsole/soest/moderation")
        if await moderator.locator("article", has_text=title).count():
            return
        await moderator.wait_for_timeout(500)
    raise AssertionError(f"{title} was not held")


async def _decide(moderator: Page, title: str, decision: str, reason: str) -> None:
    item = moderator.locator("article", has_text=title)
    await item.get_by_label(decision, exact=True).check()
    await item.get_by_label("Begründung (die Person liest sie)").fill(reason)
    await item.get_by_role("button", name="Entscheiden").click()
    await expect(moderator.get_by_role("status").first).to_contain_text("Die Entscheidung ist gespeichert.")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_rejected_author_asks_for_review_and_the_moderator_restores_the_idea(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    title = f"Parkplatz am Wall {new_marker(6)}"
    author, author_requests = await new_page(browser, javascript=javascript)
    await author.goto(web.url + "/")
    await log_in(author, web.url, "Clara Citizen (Soest)")
    idea_url = await _submit_idea(author, web, title, "Der Planer ist ein Idiot, der Parkplatz muss weg.")

    moderator, moderator_requests = await new_page(browser, javascript=javascript)
    await moderator.goto(web.url + "/konsole")
    await log_in(moderator, web.url, "Mia Moderation (Soest)")
    await _held_item(moderator, web, title)
    item = moderator.locator("article", has_text=title)
    await expect(item).to_contain_text("beleidigende")
    await expect(item).to_contain_text("Frühere Entscheidungen zur Person in diesem Ort")
    await readme_screenshot(moderator, "moderation-queue")
    await _axe(moderator, javascript)
    rejection = f"Bitte ohne Beleidigungen ({new_marker(4)})."
    await _decide(moderator, title, "Ablehnen", rejection)

    # The author reads the reason and asks for another look: first with nothing written, then with a reason.
    await author.goto(idea_url)
    await expect(author.get_by_role("status").first).to_contain_text("Abgewiesen")
    await expect(author.locator("main")).to_contain_text(rejection)
    await _axe(author, javascript)
    await author.get_by_role("button", name="Überprüfung erbitten").click()
    await expect(author.get_by_role("alert")).to_contain_text("Es gibt ein Problem")
    await _axe(author, javascript)
    appeal = f"Ich habe es sachlich gemeint ({new_marker(4)})."
    await author.get_by_label("Warum sollte die Moderation noch einmal hinsehen?").fill(appeal)
    await author.get_by_role("button", name="Überprüfung erbitten").click()
    requested = "Ihre Bitte um Überprüfung ist bei der Moderation."
    await expect(author.get_by_role("status").first).to_contain_text(requested)

    # The queue shows the appeal and the rejection among the author's earlier decisions; the moderator restores.
    await _held_item(moderator, web, title)
    item = moderator.locator("article", has_text=title)
    await expect(item).to_contain_text(appeal)
    await expect(item.locator(".author-history + ul")).to_contain_text(rejection)
    await _axe(moderator, javascript)
    await _decide(moderator, title, "Wiederherstellen", "Nach erneuter Prüfung in Ordnung.")
    await expect(moderator.locator("article", has_text=title)).to_have_count(0)

    visitor, _ = await new_page(browser, javascript=javascript)
    response = await visitor.goto(idea_url)
    assert response is not None
    assert response.status == 200
    await expect(visitor.get_by_role("heading", level=1)).to_have_text(title)
    assert author_requests.foreign(web.url) == []
    assert moderator_requests.foreign(web.url) == []
    for page in (author, moderator, visitor):
        await page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_an_admin_finds_a_person_grants_a_role_sees_the_audit_entry_and_revokes_it(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    admin, requests = await new_page(browser, javascript=javascript)
    await admin.goto(web.url + "/konsole")
    await log_in(admin, web.url, "Anton Admin (Arnsberg)")
    await admin.goto(web.url + "/konsole")
    await admin.get_by_role("link", name="Rollen").first.click()
    await expect(admin.get_by_role("heading", level=1)).to_contain_text("Rollen")
    holders = admin.get_by_role("region", name="Wer welche Rolle hat")
    changes = admin.get_by_role("region", name="Letzte Änderungen an Rollen").locator("tbody tr")
    await expect(holders.get_by_role("row", name="Anton Admin (Arnsberg)")).to_contain_text(
        "anton@demo.mitmachen.invalid"
    )
    await _axe(admin, javascript)

    await admin.get_by_label("Name oder E-Mail-Adresse").fill("om")
    await admin.get_by_role("button", name="Person suchen").click()
    await expect(admin.get_by_role("alert")).to_contain_text("3 bis 320 Zeichen")
    await _axe(admin, javascript)
    await admin.get_by_label("Name oder E-Mail-Adresse").fill("OMAR@demo.mitmachen.invalid")
    await admin.get_by_role("button", name="Person suchen").click()
    found = admin.locator("form.role-grant", has_text="Omar Olpe")
    await expect(found).to_have_count(1)
    await _axe(admin, javascript)
    await found.get_by_label("Moderation", exact=True).check()
    await found.get_by_role("button", name="Rolle vergeben").click()
    await expect(admin.get_by_role("status").first).to_contain_text("Die Rolle ist vergeben.")
    holder = holders.get_by_role("row", name="Omar Olpe")
    await expect(holder).to_contain_text("omar@demo.mitmachen.invalid")
    await expect(holder).to_contain_text("Moderation")
    await expect(changes.first).to_contain_text("Rolle vergeben: Moderation")
    await expect(changes.first).to_contain_text("Omar Olpe")
    await expect(changes.first).to_contain_text("Anton Admin (Arnsberg)")
    await _axe(admin, javascript)

    await holder.get_by_role("button", name="Rolle entziehen").click()
    await expect(admin.get_by_role("status").first).to_contain_text("Die Rolle ist entzogen.")
    await expect(holders.get_by_role("row", name="Omar Olpe")).to_have_count(0)
    await expect(changes.first).to_contain_text("Rolle entzogen: Moderation")
    assert requests.foreign(web.url) == []
    await admin.context.close()


async def test_the_roles_page_is_only_for_the_towns_admins(web: DevService, browser: Browser) -> None:
    for name, path in (
        ("Mia Moderation (Soest)", "/konsole/soest/rollen"),
        ("Sara Staff (Soest)", "/konsole/soest/rollen"),
        ("Clara Citizen (Soest)", "/konsole/soest/rollen"),
        ("Anton Admin (Arnsberg)", "/konsole/soest/rollen"),
    ):
        page, _ = await new_page(browser)
        await page.goto(web.url + "/")
        await log_in(page, web.url, name)
        await page.goto(web.url + "/konsole")
        if name != "Anton Admin (Arnsberg)":
            await expect(page.get_by_role("link", name="Rollen")).to_have_count(0)
        response = await page.goto(web.url + path)
        assert response is not None
        assert response.status == 403, name
        assert await accessibility_violations(page) == []
        await page.context.close()
    anonymous, _ = await new_page(browser)
    await anonymous.goto(web.url + "/konsole/soest/rollen")
    await expect(anonymous).to_have_url(re.compile(re.escape(f"{web.url}/dev/idp/")))
    await anonymous.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_the_audit_log_is_filtered_by_what_who_and_when(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    moderator, requests = await new_page(browser, javascript=javascript)
    await moderator.goto(web.url + "/konsole")
    await log_in(moderator, web.url, "Mia Moderation (Soest)")
    # Something of Mia's own in the log: a word added to the list.
    word = f"mumpitz{new_marker(4)}"
    await moderator.goto(web.url + "/konsole/soest/woerter")
    await moderator.get_by_label("Neuer Eintrag").fill(word)
    await moderator.get_by_role("button", name="Hinzufügen").click()
    await expect(moderator.get_by_role("row", name=word)).to_be_visible()

    await moderator.goto(web.url + "/konsole/soest/protokoll")
    await moderator.get_by_label("Was").select_option(label="Wort ergänzt")
    await moderator.get_by_label("Wer").select_option(label="Ich selbst")
    await moderator.get_by_role("button", name="Anzeigen").click()
    rows = moderator.locator("tbody tr")
    await expect(rows.first).to_contain_text("moderation.term_added")
    for text in await rows.all_inner_texts():
        assert "moderation.term_added" in text
        assert "Mia Moderation (Soest)" in text
    await _axe(moderator, javascript)

    # A span in the past has none of it; a day before the first is refused with a message at the field.
    await moderator.get_by_label("Von (Tag)").fill("2020-01-01")
    await moderator.get_by_label("Bis (Tag, einschließlich)").fill("2020-01-31")
    await moderator.get_by_role("button", name="Anzeigen").click()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Keine Einträge.")
    response = await moderator.goto(web.url + "/konsole/soest/protokoll?von=2026-02-01&bis=2026-01-01")
    assert response is not None
    assert response.status == 400
    await expect(moderator.get_by_role("alert")).to_contain_text(
        "Der Tag „von“ muss vor oder auf dem Tag „bis“ liegen."
    )
    await _axe(moderator, javascript)
    assert requests.foreign(web.url) == []
    await moderator.context.close()
