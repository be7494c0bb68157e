"""A citizen's whole journey in Chromium, once with JavaScript by keyboard alone (Tab, Enter, Space and typing, with
a visible focus at every stop) and once without JavaScript: log in through the development provider, choose a home
town, submit an idea and see the worker publish it, support and comment on another's idea, answer a survey with a
show-if question, sign up for a shift, get a place from the waitlist when another person cancels and confirm it,
export one's data down to its download, log out. After every step axe-core finds no WCAG 2.1 A/AA violation, every
request went to the service's own origin, and a screenshot is taken (kept if the test fails)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import (
    DevService,
    RequestLog,
    StepScreenshots,
    accessibility_violations,
    log_in,
    new_page,
)
from tests.support.keyboard import KEYBOARD, MOUSE, Hands
from tests.support.markers import new_marker
from tests.support.web_surveys import STAFF, person, published_survey, results_of
from tests.web.idea_steps import fill_in_and_submit, submit, wait_until_shown
from tests.web.volunteering_steps import assert_accessible, logged_in, offer_by, sign_up

CITIZEN = "Omar Olpe"
OTHER = "Clara Citizen (Soest)"
# Different words in the two runs and from the other tests: a near-duplicate would wait for a moderator.
TEXTS = {
    True: {
        "title": "Bücherschrank am Marktplatz",
        "body": "Ein offener Bücherschrank zum Tauschen von Romanen und Kinderbüchern",
        "other title": "Blühstreifen an der Ringstraße",
        "other body": "Wildblumen statt Rasen entlang der Ringstraße für Bienen",
        "comment": "Das hilft den Insekten, ich pflanze gern mit",
        "answer": "Abstellbügel vor der Bibliothek",
    },
    False: {
        "title": "Boulebahn im Kurpark",
        "body": "Eine Bahn aus Splitt zum Boulespielen unter den Linden im Kurpark",
        "other title": "Mitfahrbank am Ortsausgang",
        "other body": "Eine Bank, auf der man wartet, bis jemand einen mitnimmt",
        "comment": "Auf dem Land wäre das für Ältere eine große Hilfe",
        "answer": "Eine Reparaturstation mit Pumpe",
    },
}


@dataclass
class Journey:
    """The citizen at the browser, and the checks after every step."""

    page: Page
    requests: RequestLog
    hands: Hands
    javascript: bool
    browser: Browser
    web: DevService
    screenshots: StepScreenshots

    async def step(self, name: str) -> None:
        await self.screenshots(self.page, name)
        assert self.requests.foreign(self.web.url) == [], name
        if self.javascript:
            assert await accessibility_violations(self.page) == [], f"{name}: {self.page.url}"
        else:
            # axe is a script: the same page, same cookies, in a context with JavaScript.
            await assert_accessible(self.browser, self.page)

    async def to_home_town(self) -> None:
        await self.hands.press(self.page.get_by_role("banner").get_by_role("link", name="Soest"))
        await expect(self.page.get_by_role("heading", level=1)).to_contain_text("Soest")


@pytest.mark.parametrize("javascript", [True, False], ids=["keyboard-js", "no-js"])
async def test_the_whole_citizen_journey(
    web: DevService, browser: Browser, step_screenshots: StepScreenshots, javascript: bool
) -> None:
    marker = new_marker(8)
    texts = TEXTS[javascript]
    # Set up by others: a survey with a show-if question, a shift of one place taken by another person, and
    # another person's published idea.
    staff, _ = await person(browser, web.url, STAFF)
    survey_title = f"Wege in die Stadt {marker}"
    survey_id = await published_survey(staff, web.url, title=survey_title)
    offer_title = f"Stadtfest {marker}"
    offer_id = await offer_by(browser, web, offer_title, capacity=1)
    other = await logged_in(browser, web, OTHER, f"/angebote/{offer_id}")
    await sign_up(other)
    other_title = f"{texts['other title']} {marker}"
    await submit(other, web.url, other_title, f"{texts['other body']} ({marker}).")
    await wait_until_shown(other, other.get_by_role("button", name="Kommentar senden"))

    page, requests = await new_page(browser, javascript=javascript, accept_downloads=True)
    hands = KEYBOARD if javascript else MOUSE
    journey = Journey(page, requests, hands, javascript, browser, web, step_screenshots)
    await page.goto(web.url + "/")
    await journey.step("region home, logged out")

    await hands.press(page.get_by_role("link", name="Anmelden"))
    await page.wait_for_url("**/dev/idp/**")
    await journey.step("development login")
    await log_in(page, web.url, CITIZEN, hands)
    await expect(page).to_have_url(web.url + "/")
    await expect(page.get_by_role("banner")).to_contain_text(f"Angemeldet als {CITIZEN}")
    await journey.step("logged in")

    await hands.choose(page.get_by_label("Mein Ort"), "Soest")
    await hands.press(page.get_by_role("button", name="Als meinen Ort wählen"))
    await expect(page).to_have_url(web.url + "/")
    await expect(page.get_by_role("banner")).to_contain_text("Ihr Ort: Soest")
    await journey.step("home town chosen")

    await journey.to_home_town()
    await hands.press(page.get_by_role("link", name="Idee einreichen"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Idee einreichen")
    await journey.step("idea form")
    title = f"{texts['title']} {marker}"
    await fill_in_and_submit(page, title, f"{texts['body']} ({marker}).", hands)
    await expect(page.get_by_role("status").first).to_contain_text("Danke! Ihre Idee ist eingereicht")
    await journey.step("idea submitted")
    await wait_until_shown(page, page.get_by_role("button", name="Kommentar senden"))
    await expect(page.get_by_text("Stand der Prüfung")).to_have_count(0)
    await journey.step("idea published by the worker")

    await journey.to_home_town()
    await hands.type(page.get_by_label("Suche", exact=True), marker)
    await hands.press(page.get_by_role("button", name="Anzeigen"))
    await hands.press(page.get_by_role("link", name=other_title))
    await expect(page.get_by_role("heading", level=1)).to_have_text(other_title)
    await hands.press(page.get_by_role("button", name="Idee unterstützen"))
    await expect(page.locator("#unterstuetzung")).to_contain_text("1 Unterstützungen")
    withdraw = page.get_by_role("button", name="Unterstützung zurücknehmen")
    await expect(withdraw).to_be_visible()
    if javascript:
        await expect(withdraw).to_be_focused()
    await journey.step("idea supported")
    comment = f"{texts['comment']} ({marker})."
    await hands.type(page.get_by_label("Ihr Kommentar"), comment)
    await hands.press(page.get_by_role("button", name="Kommentar senden"))
    await expect(page.get_by_role("status").first).to_contain_text("Danke für Ihren Kommentar.")
    await expect(page.locator(".comment").filter(has_text=comment)).to_be_visible()
    await journey.step("commented")

    await journey.to_home_town()
    await hands.press(page.get_by_role("link", name=survey_title))
    await expect(page.get_by_role("heading", level=1)).to_have_text(survey_title)
    follow_up = page.get_by_label("3. Was fehlt Ihnen auf dem Rad?")
    if javascript:
        await expect(follow_up).to_be_hidden()
    await journey.step("survey")
    await hands.check(page.get_by_label("Fahrrad", exact=True))
    await expect(follow_up).to_be_visible()
    await journey.step("show-if question shown")
    await hands.type(follow_up, texts["answer"])
    await hands.press(page.get_by_role("button", name="Antworten senden"))
    await expect(page.get_by_role("status").first).to_contain_text("Danke! Ihre Antworten sind gespeichert.")
    await expect(page.get_by_role("heading", name="Sie haben diese Umfrage schon beantwortet.")).to_be_visible()
    await journey.step("survey answered")

    await hands.press(page.get_by_role("navigation").get_by_role("link", name="Engagement"))
    await hands.type(page.get_by_label("Suche", exact=True), offer_title)
    await hands.press(page.get_by_role("button", name="Anzeigen"))
    await hands.press(page.get_by_role("link", name=offer_title))
    await expect(page.get_by_role("heading", level=1)).to_have_text(offer_title)
    await expect(page.get_by_text("Freie Plätze: 0 von 1")).to_be_visible()
    await journey.step("offer with its shift full")
    await sign_up(page, waitlist=True, hands=hands)
    await expect(page.locator(".shift")).to_contain_text("Platz auf der Warteliste: 1")
    await journey.step("on the waitlist")

    await other.goto(f"{web.url}/angebote/{offer_id}")
    await other.get_by_role("button", name=re.compile("^Absagen")).click()
    await expect(other.get_by_text("Ihre Anmeldung ist abgesagt.")).to_be_visible()
    await page.reload()
    await expect(page.locator(".shift")).to_contain_text("Platz angeboten")
    deadline = re.compile(r"Bitte bestätigen Sie bis \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr")
    await expect(page.get_by_text(deadline)).to_be_visible()
    await journey.step("place offered")
    await hands.press(page.get_by_role("button", name=re.compile("^Platz annehmen")))
    await expect(page.get_by_text("Danke! Sie haben den angebotenen Platz angenommen.")).to_be_visible()
    await expect(page.locator(".shift")).to_contain_text("Ihre Anmeldung: Bestätigt")
    await journey.step("place confirmed")

    await hands.press(page.get_by_role("navigation").get_by_role("link", name="Mein Bereich"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mein Bereich")
    await journey.step("my page")
    await hands.press(page.get_by_role("button", name="Meine Daten anfordern"))
    await expect(page.get_by_role("status").first).to_contain_text("Ihre Daten werden zusammengestellt.")
    await journey.step("export requested")
    download_link = page.get_by_role("link", name="Daten herunterladen")
    await wait_until_shown(page, download_link)
    await expect(page.get_by_role("heading", name="Ihre Daten stehen zum Abruf bereit").first).to_be_visible()
    await journey.step("export ready")
    async with page.expect_download() as started:
        await hands.press(download_link)
    download = await started.value
    document = json.dumps(
        json.loads(Path(await download.path()).read_text(encoding="utf-8")),  # noqa: ASYNC240 - a small file in a test
        ensure_ascii=False,
    )
    for mine in (CITIZEN, title, comment):
        assert mine in document, mine

    await hands.press(page.get_by_role("button", name="Abmelden"))
    await expect(page.get_by_role("banner").get_by_role("link", name="Anmelden")).to_be_visible()
    await journey.step("logged out")
    await page.goto(web.url + "/mein-bereich")
    await expect(page).to_have_url(re.compile("/dev/idp/"))

    # The answer to the show-if question was stored, as the results count it.
    survey = await results_of(staff, web.url, survey_id, 1)
    follow_up_result = next(
        result
        for question, result in zip(survey["questions"], survey["results"]["questions"], strict=True)
        if question["position"] == 2
    )
    assert follow_up_result["texts"] == [texts["answer"]]
    for opened in (staff, other, page):
        await opened.context.close()
