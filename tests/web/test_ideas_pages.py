"""The idea pages in Chromium, with and without JavaScript: submitting an idea (an error first, then valid), seeing
it published by the worker, supporting and withdrawing, commenting and replying, reporting; axe on every state."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page, readme_screenshot
from tests.support.markers import new_marker
from tests.web.idea_steps import fill_in_and_submit, submit, wait_until_shown

# Different words in the two runs: a near-duplicate or a repetition of the first would wait for a moderator.
TEXTS = {
    True: {
        "title": "Fahrradstellplätze am Bahnhof",
        "body": "Am Bahnhof fehlen überdachte Stellplätze für Fahrräder",
        "comment": "Gute Idee, am besten mit Licht",
        "reply": "Und mit Ladestation für E-Bikes",
    },
    False: {
        "title": "Trinkbrunnen in der Fußgängerzone",
        "body": "Im Sommer braucht die Innenstadt frisches Wasser zum Trinken",
        "comment": "Das würde vielen Familien an heißen Tagen helfen",
        "reply": "Vielleicht auch einer am Spielplatz im Park",
    },
}


async def axe_clean(page: Page, javascript: bool) -> None:
    """axe needs JavaScript: the run with it checks each state; the run without it reaches the same states."""
    if javascript:
        assert await accessibility_violations(page) == [], page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_submit_publish_support_comment_reply_and_report(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    marker = new_marker(8)
    author, author_requests = await new_page(browser, javascript=javascript)
    await author.goto(web.url + "/")
    await log_in(author, web.url, "Clara Citizen (Soest)")
    await author.goto(web.url + "/ideen/neu?ort=soest")
    texts = TEXTS[javascript]
    body = f"{texts['body']} ({marker})."
    await author.get_by_label("Titel", exact=True).fill("Ab")
    await author.get_by_label("Beschreibung", exact=True).fill(body)
    await author.get_by_role("button", name="Idee einreichen").click()

    summary = author.get_by_role("alert").filter(has_text="Es gibt ein Problem")
    await expect(summary).to_be_visible()
    await expect(summary.get_by_role("link")).to_have_attribute("href", "#feld-title")
    await expect(author.locator("#fehler-title")).to_be_visible()
    await expect(author.get_by_label("Beschreibung", exact=True)).to_have_value(body)
    await axe_clean(author, javascript)
    await readme_screenshot(author, "submit-form-errors")

    title = f"{texts['title']} {marker}"
    await author.get_by_label("Titel", exact=True).fill(title)
    await author.get_by_role("button", name="Idee einreichen").click()
    await expect(author.get_by_role("heading", level=1)).to_have_text(title)
    await expect(author.get_by_role("status").first).to_contain_text("Danke! Ihre Idee ist eingereicht")
    await axe_clean(author, javascript)
    idea_url = author.url
    await wait_until_shown(author, author.get_by_role("button", name="Kommentar senden"))
    await expect(author.get_by_text("Stand der Prüfung")).to_have_count(0)
    await expect(author.get_by_text("Idee zurückziehen", exact=True)).to_be_visible()
    await axe_clean(author, javascript)

    visitor, visitor_requests = await new_page(browser, javascript=javascript)
    await visitor.goto(idea_url)
    login_link = visitor.get_by_role("link", name="Melden Sie sich an, um diese Idee zu unterstützen")
    await axe_clean(visitor, javascript)
    await login_link.click()
    await visitor.get_by_role("button", name="Omar Olpe").click()
    await expect(visitor).to_have_url(idea_url)

    await visitor.get_by_role("button", name="Idee unterstützen").click()
    support = visitor.locator("#unterstuetzung")
    await expect(support).to_contain_text("1 Unterstützungen")
    # With JavaScript in place (announced in the support block), without it after the post's redirect.
    announced = (support if javascript else visitor).get_by_role("status").filter(has_text="Sie unterstützen diese")
    await expect(announced).to_be_visible()
    await expect(visitor.get_by_role("button", name="Unterstützung zurücknehmen")).to_be_visible()
    if javascript:
        await expect(visitor.get_by_role("button", name="Unterstützung zurücknehmen")).to_be_focused()
    await axe_clean(visitor, javascript)
    await visitor.get_by_role("button", name="Unterstützung zurücknehmen").click()
    await expect(support).to_contain_text("0 Unterstützungen")
    await expect(visitor.get_by_role("button", name="Idee unterstützen")).to_be_visible()

    await visitor.get_by_role("button", name="Kommentar senden").click()
    await expect(visitor.get_by_role("alert").filter(has_text="Es gibt ein Problem")).to_be_visible()
    await expect(visitor.locator("#fehler-kommentar")).to_be_visible()
    await axe_clean(visitor, javascript)
    comment = f"{texts['comment']} ({marker})."
    await visitor.get_by_label("Ihr Kommentar").fill(comment)
    await visitor.get_by_role("button", name="Kommentar senden").click()
    await expect(visitor.get_by_role("status").first).to_contain_text("Danke für Ihren Kommentar.")
    await expect(visitor.locator(".comment").filter(has_text=comment)).to_be_visible()

    # The comment is checked by the worker too: replies are possible once it is published.
    await wait_until_shown(visitor, visitor.locator("summary", has_text="Antworten"))
    await visitor.locator("summary", has_text="Antworten").click()
    reply = f"{texts['reply']} ({marker})."
    await visitor.get_by_label("Ihre Antwort").fill(reply)
    await visitor.get_by_role("button", name="Antwort senden").click()
    await expect(visitor.locator(".comment--reply")).to_contain_text(reply)
    await expect(visitor.locator(".comment--reply").locator("xpath=..")).to_contain_text(comment)
    await readme_screenshot(visitor, "idea-page")
    await axe_clean(visitor, javascript)

    await visitor.locator("summary", has_text="Melden").click()
    await visitor.get_by_role("button", name="Meldung senden").click()
    await expect(visitor.locator("#fehler-grund-idee")).to_have_text("Bitte wählen Sie einen Grund für die Meldung.")
    await expect(visitor.get_by_label("Was ist daran nicht in Ordnung?")).to_be_visible()
    await axe_clean(visitor, javascript)
    await visitor.get_by_label("Werbung oder Spam").check()
    await visitor.get_by_label("Was ist daran nicht in Ordnung?").fill("Nur ein Test.")
    await visitor.get_by_role("button", name="Meldung senden").click()
    await expect(visitor.get_by_role("status").first).to_contain_text("Danke für Ihre Meldung.")

    assert author_requests.foreign(web.url) == []
    assert visitor_requests.foreign(web.url) == []
    await author.context.close()
    await visitor.context.close()


async def test_the_author_edits_a_held_idea_then_withdraws_it(web: DevService, browser: Browser) -> None:
    marker = new_marker(8)
    page, requests = await new_page(browser, javascript=False)
    await page.goto(web.url + "/")
    await log_in(page, web.url, "Clara Citizen (Soest)")
    title, body = f"Sitzbänke im Stadtpark {marker}", f"Mehr Bänke entlang der Wege im Stadtpark ({marker})."
    await submit(page, web.url, title, body)
    await wait_until_shown(page, page.get_by_role("button", name="Kommentar senden"))
    # The same idea again is a near-duplicate: it waits for a moderator, and its author may still change it.
    await submit(page, web.url, title, body)
    await wait_until_shown(page, page.get_by_text("Eine sehr ähnliche Idee gibt es"))
    await expect(page.get_by_text("Stand der Prüfung: Wird geprüft")).to_be_visible()
    idea_url = page.url

    await page.get_by_role("link", name="Idee bearbeiten").click()
    await expect(page.get_by_label("Titel", exact=True)).to_have_value(title)
    await page.get_by_label("Titel", exact=True).fill("")
    await page.get_by_role("button", name="Änderungen speichern").click()
    await expect(page.get_by_role("alert").filter(has_text="Es gibt ein Problem")).to_be_visible()
    await expect(page.locator("#fehler-title")).to_be_visible()
    await expect(page.get_by_label("Beschreibung", exact=True)).to_have_value(body)
    # axe needs JavaScript: the same person's edit form in a context with it.
    checked, _ = await new_page(browser, storage_state=await page.context.storage_state())
    await checked.goto(idea_url + "/bearbeiten")
    assert await accessibility_violations(checked) == []
    await checked.context.close()
    await page.get_by_label("Titel", exact=True).fill(f"Bänke und Schatten im Stadtpark {marker}")
    await page.get_by_role("button", name="Änderungen speichern").click()
    await expect(page.get_by_role("status").first).to_contain_text("Ihre Änderungen sind gespeichert.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Bänke und Schatten im Stadtpark {marker}")

    await page.locator("summary", has_text="Idee zurückziehen").click()
    await page.get_by_role("button", name="Ja, Idee zurückziehen").click()
    await expect(page.get_by_role("status").first).to_contain_text("Sie haben Ihre Idee zurückgezogen.")
    await expect(page.get_by_text("Stand der Prüfung: Zurückgezogen")).to_be_visible()
    await expect(page.get_by_role("link", name="Idee bearbeiten")).to_have_count(0)
    assert requests.foreign(web.url) == []
    await page.context.close()


async def test_the_author_asks_for_a_review_of_a_rejection(web: DevService, browser: Browser) -> None:
    marker = new_marker(8)
    page, requests = await new_page(browser, javascript=False)
    await page.goto(web.url + "/")
    await log_in(page, web.url, "Clara Citizen (Soest)")
    # A threat is severe abuse: the automated check rejects it at once.
    await submit(page, web.url, f"Lärm an der Baustelle {marker}", f"Wenn das so weitergeht, bring dich um ({marker}).")
    await wait_until_shown(page, page.get_by_text("Stand der Prüfung: Abgewiesen"))
    await page.get_by_role("button", name="Überprüfung erbitten").click()
    await expect(page.get_by_role("alert").filter(has_text="Es gibt ein Problem")).to_be_visible()
    await expect(page.locator("#fehler-einspruch")).to_be_visible()
    # axe needs JavaScript: the same state, the rejected idea and the refused empty request, in a context with it.
    checked, _ = await new_page(browser, storage_state=await page.context.storage_state())
    await checked.goto(page.url.removesuffix("/ueberpruefen-lassen"))
    assert await accessibility_violations(checked) == []
    await checked.get_by_role("button", name="Überprüfung erbitten").click()
    await expect(checked.locator("#fehler-einspruch")).to_be_visible()
    assert await accessibility_violations(checked) == []
    await checked.context.close()
    reason = page.get_by_label("Warum sollte die Moderation noch einmal hinsehen?")
    await reason.fill("Das war ein Zitat, keine Drohung.")
    await page.get_by_role("button", name="Überprüfung erbitten").click()
    await expect(page.get_by_role("status").first).to_contain_text("Ihre Bitte um Überprüfung ist bei der Moderation.")
    assert requests.foreign(web.url) == []
    await page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_my_position_fills_the_coordinates_and_typed_ones_work_without_javascript(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    marker = new_marker(8)
    page, requests = await new_page(
        browser,
        javascript=javascript,
        geolocation={"latitude": 51.571389, "longitude": 8.105983},
        permissions=["geolocation"],
    )
    await page.goto(web.url + "/ideen/neu?ort=soest")
    await log_in(page, web.url, "Clara Citizen (Soest)")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Idee einreichen")
    latitude, longitude = page.get_by_label("Breitengrad"), page.get_by_label("Längengrad")
    my_position = page.get_by_role("button", name="Meine Position übernehmen")
    if javascript:
        # Refused first: the page says so, and the person can type the coordinates.
        await page.context.clear_permissions()
        await my_position.click()
        await expect(page.get_by_role("status").filter(has_text="Ihre Position ist nicht verfügbar.")).to_be_visible()
        await expect(latitude).to_have_value("")
        assert await accessibility_violations(page) == []
        await page.context.grant_permissions(["geolocation"])
        await my_position.click()
        await expect(latitude).to_have_value("51.57139")
        await expect(longitude).to_have_value("8.10598")
        await expect(page.get_by_role("status").filter(has_text="Ihre Position ist nicht verfügbar.")).to_have_count(0)
        assert await accessibility_violations(page) == []
        title, body, shown = f"Fahrradbügel am Rathaus {marker}", "Vor dem Rathaus fehlen Bügel", "51.57139, 8.10598"
    else:
        await expect(my_position).to_have_count(0)
        await expect(page.locator("[data-fill-position]")).to_be_hidden()
        title, body, shown = f"Hundewiese am Stadtrand {marker}", "Eine eingezäunte Wiese für Hunde", "51.5654, 8.0987"
        # A point outside the town: the API's error shows at the coordinates and in the summary, linked to them.
        await latitude.fill("51,4321")
        await longitude.fill("7,8765")
        await page.get_by_label("Titel", exact=True).fill(title)
        await page.get_by_role("button", name="Idee einreichen").click()
        summary = page.get_by_role("alert").filter(has_text="Es gibt ein Problem")
        await expect(summary.get_by_role("link", name="Der Ort liegt nicht in Soest.")).to_have_attribute(
            "href", "#feld-latitude"
        )
        await expect(page.locator("#fehler-latitude")).to_have_text("Der Ort liegt nicht in Soest.")
        await expect(latitude).to_have_value("51,4321")
        await latitude.fill("51,5654")
        await longitude.fill("8,0987")
    await fill_in_and_submit(page, title, f"{body} ({marker}).")
    await expect(page.get_by_text(f"Ort: {shown}")).to_be_visible()
    assert requests.foreign(web.url) == []
    await page.context.close()
