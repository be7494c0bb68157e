"""Volunteering for citizens in Chromium: the search by text, skills, dates and distance; an offer's page with its
shifts and free places; signing up, the waitlist position, cancelling, and confirming an offered place before its
deadline, with and without JavaScript."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import DevService, new_page
from tests.support.markers import new_marker
from tests.web.volunteering_steps import LOCAL, assert_accessible, logged_in, offer_by, sign_up

SOEST_CENTRE = ("51.5711", "8.1058")


async def test_the_search_finds_offers_by_text_skill_date_and_distance(web: DevService, browser: Browser) -> None:
    token = new_marker(8)
    title = f"Obstwiese {token}"
    await offer_by(browser, web, title, skills=f"Baumschnitt{token}, Leitern", location=SOEST_CENTRE)
    page, requests = await new_page(browser, javascript=False)
    today = datetime.now(LOCAL).date()
    cases = [
        ({"suche": title}, True),
        ({"faehigkeiten": f"Baumschnitt{token}"}, True),
        ({"faehigkeiten": f"Gesang{token}"}, False),
        ({"suche": title, "von": str(today + timedelta(days=1)), "bis": str(today + timedelta(days=400))}, True),
        ({"suche": title, "bis": str(today)}, False),
        ({"suche": title, "breite": "51,5712", "laenge": "8,1059", "umkreis": "1"}, True),
        ({"suche": title, "breite": "51.0293", "laenge": "7.8497", "umkreis": "5"}, False),
    ]
    for query, found in cases:
        await page.goto(f"{web.url}/engagement?{urlencode(query)}")
        await expect(page.get_by_role("link", name=title)).to_have_count(1 if found else 0)
    await page.goto(f"{web.url}/engagement?{urlencode({'suche': title})}")
    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await expect(page.get_by_text("Freie Plätze: 2 von 2")).to_be_visible()
    await expect(page.get_by_text(f"Verein für {title}")).to_be_visible()
    await expect(page.get_by_text("Um sich anzumelden, melden Sie sich bitte zuerst an.")).to_be_visible()
    await assert_accessible(browser, page)

    response = await page.goto(f"{web.url}/engagement?breite=Soest&laenge=8")
    assert response is not None
    assert response.status == 400
    await expect(page.get_by_role("alert")).to_contain_text("Breiten- und Längengrad")
    await expect(page.get_by_label("Breitengrad")).to_have_value("Soest")
    await assert_accessible(browser, page)
    response = await page.goto(
        f"{web.url}/angebote/Vm9sdW50ZWVyT2ZmZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
    )
    assert response is not None
    assert response.status == 404
    assert requests.foreign(web.url) == []
    await page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_sign_up_wait_cancel_and_confirm_the_offered_place(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    title = f"Tafel {new_marker(8)}"
    offer_id = await offer_by(browser, web, title, capacity=1)
    clara = await logged_in(browser, web, "Clara Citizen (Soest)", f"/angebote/{offer_id}", javascript=javascript)
    omar = await logged_in(browser, web, "Omar Olpe", f"/angebote/{offer_id}", javascript=javascript)
    await assert_accessible(browser, clara)
    await sign_up(clara)
    await expect(clara.locator(".shift")).to_contain_text("Ihre Anmeldung: Bestätigt")
    await omar.reload()
    await sign_up(omar, waitlist=True)
    await expect(omar.locator(".shift")).to_contain_text("Auf der Warteliste Platz auf der Warteliste: 1")
    await assert_accessible(browser, omar)

    await clara.goto(web.url + "/engagement")
    mine = clara.locator("section", has=clara.get_by_role("heading", name="Meine Einsätze"))
    await expect(mine.get_by_role("link", name=title)).to_be_visible()
    await assert_accessible(browser, clara)
    await mine.get_by_role("button", name=re.compile("^Absagen")).first.click()
    await expect(clara.get_by_text("Ihre Anmeldung ist abgesagt.")).to_be_visible()
    await expect(clara).to_have_url(web.url + "/engagement")

    await omar.reload()
    await expect(omar.locator(".shift")).to_contain_text("Platz angeboten")
    deadline = await omar.get_by_text(re.compile("Bitte bestätigen Sie bis")).inner_text()
    assert re.search(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr", deadline), deadline
    await assert_accessible(browser, omar)
    await omar.get_by_role("button", name=re.compile("^Platz annehmen")).click()
    await expect(omar.get_by_text("Danke! Sie haben den angebotenen Platz angenommen.")).to_be_visible()
    await expect(omar.locator(".shift")).to_contain_text("Ihre Anmeldung: Bestätigt")
    await expect(omar.get_by_text("Freie Plätze: 0 von 1")).to_be_visible()
    await assert_accessible(browser, omar)
    for page in (clara, omar):
        await page.context.close()
