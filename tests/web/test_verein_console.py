"""The Vereine console in Chromium, with and without JavaScript: a Verein registers, the town's staff verify it, its
offer fills a shift with two places from three sign-ups, a cancellation offers the place to the waitlisted person
who confirms it, and after the shift the manager records the hours the citizen then sees."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import DevService, new_page, readme_screenshot
from tests.support.markers import new_marker
from tests.web.volunteering_steps import (
    LOCAL,
    MANAGER,
    STAFF,
    assert_accessible,
    local_field,
    logged_in,
    published_offer,
    registered_verein,
    sign_up,
    verified,
)

# Per run, so that the waitlisted person's hours of the year are those of this run alone.
VOLUNTEERS = {
    True: ("Clara Citizen (Soest)", "Omar Olpe", "Anton Admin (Arnsberg)"),
    False: ("Clara Citizen (Soest)", "Sven Staff (Olpe)", "Regina Region"),
}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
async def test_a_verein_registers_fills_a_shift_and_records_the_hours(
    web: DevService, browser: Browser, javascript: bool
) -> None:
    name = f"Heimatverein {new_marker(8)}"
    manager = await logged_in(browser, web, MANAGER, "/konsole/vereine", javascript=javascript)
    await manager.get_by_role("button", name="Verein registrieren").click()
    await expect(manager.get_by_role("alert")).to_contain_text("Es gibt ein Problem")
    await expect(manager.get_by_label("Name des Vereins")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(browser, manager)
    await registered_verein(manager, name)
    await expect(manager.locator(".verification-state")).to_contain_text("Die Stadt prüft den Verein noch")
    await assert_accessible(browser, manager)

    staff = await logged_in(browser, web, STAFF, "/konsole/vereine", javascript=javascript)
    await expect(staff.get_by_role("heading", name="Vereine, die auf die Prüfung warten: Soest")).to_be_visible()
    await assert_accessible(browser, staff)
    await verified(staff, name)
    await expect(staff.get_by_role("button", name=f"Prüfen und freischalten: {name}")).to_have_count(0)
    await staff.context.close()

    await manager.reload()
    await expect(manager.locator(".verification-state")).to_contain_text("Geprüft am")
    await manager.get_by_label("E-Mail-Adresse der Person").fill("sara@demo.mitmachen.invalid")
    await manager.get_by_role("button", name="Als Mitverwalter hinzufügen").click()
    await expect(manager.get_by_role("listitem").filter(has_text=STAFF)).to_be_visible()
    offer_id = await published_offer(manager, f"Stadtfest {name}", capacity=2)
    await assert_accessible(browser, manager)

    volunteers = [
        await logged_in(browser, web, who, f"/angebote/{offer_id}", javascript=javascript)
        for who in VOLUNTEERS[javascript]
    ]
    clara, omar, anton = volunteers
    waiting = VOLUNTEERS[javascript][2]
    await assert_accessible(browser, clara)
    await sign_up(clara)
    await sign_up(omar)
    await expect(anton.get_by_text("Freie Plätze: 2 von 2")).to_be_visible()
    await anton.reload()
    await expect(anton.get_by_text("Freie Plätze: 0 von 2")).to_be_visible()
    await sign_up(anton, waitlist=True)
    await expect(anton.get_by_text("Platz auf der Warteliste: 1")).to_be_visible()
    await assert_accessible(browser, anton)

    await clara.get_by_role("button", name=re.compile("^Absagen")).click()
    await expect(clara.get_by_text("Ihre Anmeldung ist abgesagt.")).to_be_visible()
    await anton.reload()
    await expect(anton.get_by_text("Platz angeboten")).to_be_visible()
    await expect(
        anton.get_by_text(re.compile(r"Bitte bestätigen Sie bis \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr"))
    ).to_be_visible()
    await assert_accessible(browser, anton)
    await anton.get_by_role("button", name=re.compile("^Platz annehmen")).click()
    await expect(anton.get_by_text("Danke! Sie haben den angebotenen Platz angenommen.")).to_be_visible()
    await expect(anton.locator(".shift")).to_contain_text("Bestätigt")

    await manager.reload()
    roster = manager.locator("table.roster")
    await expect(roster.get_by_role("row", name=re.compile("Clara Citizen"))).to_contain_text("Abgesagt")
    await expect(roster.get_by_role("row", name=re.compile(re.escape(waiting)))).to_contain_text("Bestätigt")
    # The shift moves to a few seconds from now, so that it is over (attendance is recorded after a shift only).
    await manager.get_by_role("link", name=re.compile("^Ändern")).click()
    start = datetime.now(LOCAL) + timedelta(seconds=12)
    await manager.get_by_label("Beginn", exact=True).fill(local_field(start))
    await manager.get_by_label("Ende", exact=True).fill(local_field(start + timedelta(seconds=3)))
    await manager.get_by_role("button", name="Folgen prüfen").click()
    await expect(manager.locator(".consequences")).to_contain_text(
        "2 angemeldete Person(en) erhalten eine E-Mail mit den neuen Zeiten"
    )
    await assert_accessible(browser, manager)
    await manager.get_by_role("button", name="Änderung speichern").click()
    await expect(manager.get_by_text("Der Einsatz ist geändert.")).to_be_visible()
    await asyncio.sleep(max(0.0, (start + timedelta(seconds=4) - datetime.now(LOCAL)).total_seconds()))
    await manager.reload()
    await manager.get_by_label(f"Stunden ({waiting})").fill("1")
    await manager.get_by_role("button", name=f"Teilnahme speichern: {waiting}").click()
    await expect(manager.get_by_text("Die Teilnahme ist eingetragen.")).to_be_visible()
    await expect(roster.get_by_role("row", name=re.compile(re.escape(waiting)))).to_contain_text("Teilgenommen")
    await readme_screenshot(manager, "verein-roster", showing=manager.locator(".shift").first)
    await assert_accessible(browser, manager)

    await anton.goto(web.url + "/engagement")
    mine = anton.locator("section", has=anton.get_by_role("heading", name="Meine Einsätze"))
    await expect(mine).to_contain_text("Teilgenommen · 1 Stunden")
    year = str(datetime.now(LOCAL).year)
    await expect(mine.get_by_role("row", name=re.compile(f"^{year}")).get_by_role("cell")).to_have_text(["1", "1"])
    await assert_accessible(browser, anton)
    for page in (manager, *volunteers):
        await page.context.close()


async def test_the_console_asks_for_a_login_and_shows_no_one_a_verein_they_do_not_manage(
    web: DevService, browser: Browser
) -> None:
    page, _ = await new_page(browser)
    await page.goto(web.url + "/konsole/vereine")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Entwicklungs-Anmeldung")
    await page.context.close()
    clara = await logged_in(browser, web, "Clara Citizen (Soest)", "/konsole/vereine")
    await expect(clara.get_by_text("Sie verwalten noch keinen Verein.")).to_be_visible()
    await expect(clara.get_by_role("heading", name=re.compile("auf die Prüfung warten"))).to_have_count(0)
    await assert_accessible(browser, clara)
    unknown = "T3JnYW5pc2F0aW9uOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="
    response = await clara.goto(f"{web.url}/konsole/vereine/{unknown}")
    assert response is not None
    assert response.status == 404
    await clara.context.close()
