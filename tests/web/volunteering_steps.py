"""Steps of the volunteering browser tests, through the pages themselves: a Verein registered by a manager and
verified by the town's staff, an offer with a shift, a person signed up."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page
from tests.support.keyboard import MOUSE, Hands

LOCAL = ZoneInfo("Europe/Berlin")
MANAGER = "Mia Moderation (Soest)"
STAFF = "Sara Staff (Soest)"


def local_field(moment: datetime) -> str:
    """A moment as a `datetime-local` field takes it (German local time, seconds kept)."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M:%S")


# Each offer's shift on a day of its own: a person cannot sign up for two shifts at the same time.
_DAYS = itertools.count(1)


def next_free_day_at(hour: int) -> datetime:
    return (datetime.now(LOCAL) + timedelta(days=next(_DAYS))).replace(hour=hour, minute=0, second=0, microsecond=0)


async def logged_in(browser: Browser, web: DevService, person: str, path: str, *, javascript: bool = True) -> Page:
    page, _ = await new_page(browser, javascript=javascript)
    await page.goto(web.url + "/engagement")
    await log_in(page, web.url, person)
    await page.goto(web.url + path)
    return page


async def assert_accessible(browser: Browser, page: Page) -> None:
    """axe on the page as it is; a page without JavaScript is checked in a context with it, same cookies."""
    checked, _ = await new_page(browser, storage_state=await page.context.storage_state())
    await checked.goto(page.url)
    assert await accessibility_violations(checked) == [], page.url
    await checked.context.close()


async def registered_verein(manager: Page, name: str) -> str:
    """The manager registers a Verein in Soest; its console page's path."""
    await manager.get_by_label("Ort", exact=True).select_option(label="Soest")
    await manager.get_by_label("Name des Vereins", exact=True).fill(name)
    await manager.get_by_label("Beschreibung").fill("Wir helfen beim Stadtfest.")
    await manager.get_by_role("button", name="Verein registrieren").click()
    await expect(manager.get_by_role("heading", level=1)).to_have_text(name)
    return manager.url


async def verified(staff: Page, name: str) -> None:
    await staff.get_by_role("button", name=f"Prüfen und freischalten: {name}").click()
    await expect(staff.get_by_text("Der Verein ist geprüft und freigeschaltet.")).to_be_visible()


async def published_offer(
    manager: Page, title: str, *, capacity: int, skills: str = "", location: tuple[str, str] | None = None
) -> str:
    """On the Verein's console page: a draft with one shift tomorrow, published; the offer's global id."""
    await manager.get_by_label("Titel", exact=True).fill(title)
    await manager.get_by_label("Beschreibung").fill("Auf- und Abbau der Stände, Ausgabe von Getränken.")
    await manager.get_by_label("Fähigkeiten").fill(skills)
    if location:
        await manager.get_by_label("Breitengrad").fill(location[0])
        await manager.get_by_label("Längengrad").fill(location[1])
    await manager.get_by_role("button", name="Entwurf speichern").click()
    await expect(manager.locator(".offer-status")).to_have_text("Entwurf")
    start = next_free_day_at(10)
    await manager.get_by_label("Beginn", exact=True).fill(local_field(start))
    await manager.get_by_label("Ende", exact=True).fill(local_field(start + timedelta(hours=2)))
    await manager.get_by_label("Plätze", exact=True).fill(str(capacity))
    await manager.get_by_role("button", name="Einsatz hinzufügen").click()
    await expect(manager.get_by_text("Der Einsatz ist angelegt.")).to_be_visible()
    await manager.get_by_role("button", name="Veröffentlichen").click()
    await expect(manager.locator(".offer-status")).to_have_text("Veröffentlicht")
    match = re.search(r"/konsole/angebote/(.+)$", manager.url)
    assert match is not None
    return match.group(1)


async def offer_by(
    browser: Browser,
    web: DevService,
    title: str,
    *,
    capacity: int = 2,
    skills: str = "",
    location: tuple[str, str] | None = None,
) -> str:
    """A verified Verein of its own (managed by the demo manager) with one published offer; the offer's id."""
    manager = await logged_in(browser, web, MANAGER, "/konsole/vereine")
    await registered_verein(manager, f"Verein für {title}")
    staff = await logged_in(browser, web, STAFF, "/konsole/vereine")
    await verified(staff, f"Verein für {title}")
    await staff.context.close()
    await manager.reload()
    offer_id = await published_offer(manager, title, capacity=capacity, skills=skills, location=location)
    await manager.context.close()
    return offer_id


async def sign_up(page: Page, *, waitlist: bool = False, hands: Hands = MOUSE) -> None:
    name = re.compile("^Auf die Warteliste" if waitlist else "^Anmelden \\(")
    await hands.press(page.get_by_role("button", name=name))
    await expect(page.get_by_text("Sie sind angemeldet.")).to_be_visible()
