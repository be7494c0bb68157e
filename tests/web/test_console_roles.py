"""The console shows each person only the areas their roles open in a town: the header's "Konsole" link only to
people with a role, the console's start (`/konsole`) the towns and areas they hold (every town to choose from for
region-wide roles, their Vereine for organisation managers), the console's navigation only the areas they hold
there, and a page of any other area is a 403 page without the area's forms or navigation, also where the API would
answer (a town's ideas are public). The API refuses the same people on its own (one call per caller here; every
root field in tests/schema/test_authorization_matrix.py)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page
from tests.support.markers import new_marker
from tests.web.volunteering_steps import MANAGER, registered_verein
from web.pages.console import AREA_TITLES

TITLES = AREA_TITLES
AREAS = tuple(TITLES)
MODERATION = ("moderation", "woerter", "protokoll")
STAFF = ("ideen", "umfragen", "bericht")
# Per person: their subject at the development login, the town and area whose navigation the test reads, the areas
# that navigation lists, and the areas of Soest they hold.
PEOPLE: dict[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = {
    "Clara Citizen (Soest)": ("demo-buergerin-soest", None, (), ()),
    "Mia Moderation (Soest)": ("demo-moderation-soest", "soest", MODERATION, MODERATION),
    "Moritz Moderation (Olpe)": ("demo-moderation-olpe", "olpe", MODERATION, ()),
    "Sara Staff (Soest)": ("demo-verwaltung-soest", "soest", STAFF, STAFF),
    "Anton Admin (Arnsberg)": ("demo-admin-arnsberg", "arnsberg", AREAS, ()),
    "Regina Region": ("demo-region", "soest", AREAS, AREAS),
}
QUEUE = "query ($town: ID!) { moderationQueue(townId: $town, first: 1) { edges { cursor } } }"


# What the console's start lists per person: its sections (by heading) with their links, the Vereine aside.
CHECK_VEREINE = "Vereine prüfen"
START: dict[str, dict[str, list[str]]] = {
    "Omar Olpe": {},
    "Mia Moderation (Soest)": {"Soest": [TITLES[area] for area in MODERATION]},
    "Sara Staff (Soest)": {"Soest": [*(TITLES[area] for area in STAFF), CHECK_VEREINE]},
    "Anton Admin (Arnsberg)": {"Arnsberg": [*TITLES.values(), CHECK_VEREINE]},
    "Regina Region": {"Region": [TITLES["bericht"]], "Alle Orte": []},
}
VEREINE = "Ihre Vereine"


async def _start(page: Page) -> dict[str, list[str]]:
    """The sections of the console's start, each heading with the links below it (the Vereine left out)."""
    sections: dict[str, list[str]] = {}
    for section in await page.locator("main section").all():
        heading = await section.get_by_role("heading", level=2).inner_text()
        sections[heading] = await section.get_by_role("link").all_inner_texts()
    sections.pop(VEREINE, None)
    return sections


async def _navigation(page: Page) -> list[str]:
    return await page.locator("nav.console-nav a").all_inner_texts()


async def _graphql(web: DevService, subject: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        token = await http.get(f"/dev/idp/token-for/{subject}", headers={"Accept": "application/json"})
        answer = await http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
    body: dict[str, Any] = answer.json()
    return body


async def test_each_person_sees_the_areas_of_their_roles_and_a_403_page_for_the_others(
    web: DevService, browser: Browser
) -> None:
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        soest = (await http.post("/graphql", json={"query": '{ town(slug: "soest") { id } }'})).json()
    soest_id = soest["data"]["town"]["id"]
    checked_refusal_page = False
    for name, (subject, town, listed, held) in PEOPLE.items():
        page, requests = await new_page(browser)
        await page.goto(web.url + "/")
        await log_in(page, web.url, name)
        # The header's link for anyone holding a role (a citizen may manage a Verein another test registered).
        roles = (await _graphql(web, subject, "{ me { roles { role } } }", {}))["data"]["me"]["roles"]
        assert bool(roles) == bool(town) or all(role["role"] == "ORGANISATION_MANAGER" for role in roles), name
        header_link = page.get_by_role("banner").get_by_role("link", name="Konsole", exact=True)
        await expect(header_link).to_have_count(1 if roles else 0)
        if town:
            response = await page.goto(f"{web.url}/konsole/{town}/{listed[0]}")
            assert response is not None
            assert response.status == 200, (name, response.url)
            assert await _navigation(page) == ["Konsole", *(TITLES[area] for area in listed)], name
        for area in AREAS:
            response = await page.goto(f"{web.url}/konsole/soest/{area}")
            assert response is not None
            if area in held:
                assert response.status == 200, (name, area)
                assert await _navigation(page) == ["Konsole", *(TITLES[each] for each in held)], (name, area)
                continue
            assert response.status == 403, (name, area)
            await expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugang")
            await expect(page.get_by_role("banner")).to_contain_text(f"Angemeldet als {name}")
            assert await page.locator("nav.console-nav").count() == 0, (name, area)
            assert await page.locator("main form").count() == 0, (name, area)
            if not checked_refusal_page:
                assert await accessibility_violations(page) == []
                checked_refusal_page = True
        assert requests.foreign(web.url) == []
        await page.context.close()

        # The API itself: the queue of Soest's moderation for its moderators and admins only.
        body = await _graphql(web, subject, QUEUE, {"town": soest_id})
        if "moderation" in held:
            assert "errors" not in body, (name, body)
        else:
            assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"], (name, body)


async def test_the_console_start_lists_the_towns_areas_every_town_and_the_vereine_each_person_holds(
    web: DevService, browser: Browser
) -> None:
    for name, expected in START.items():
        page, requests = await new_page(browser)
        await page.goto(web.url + "/konsole")
        await log_in(page, web.url, name)
        assert await _start(page) == expected, name
        empty = page.get_by_text("Sie haben keine Aufgaben in einem Ort.")
        await expect(empty).to_have_count(0 if expected else 1)
        if name == "Sara Staff (Soest)":
            # The surveys are an area of the town's console: its navigation, with the town's list.
            await page.get_by_role("region", name="Soest").get_by_role("link", name="Umfragen").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Umfragen: Soest")
            assert await _navigation(page) == ["Konsole", *(TITLES[area] for area in STAFF)]
            await expect(page.locator("nav.console-nav [aria-current=page]")).to_have_text("Umfragen")
            assert await accessibility_violations(page) == []
            await page.goto(web.url + "/konsole")
            await page.get_by_role("link", name=CHECK_VEREINE).click()
            await expect(page.get_by_role("region", name="Vereine, die auf die Prüfung warten: Soest")).to_be_visible()
        if name == "Regina Region":
            # A region admin is an admin of every town: a choice of each town, then that town's areas.
            towns = page.get_by_label("Ort", exact=True).locator("option")
            assert len(await towns.all_inner_texts()) == len(await _town_names(web))
            await page.get_by_label("Ort", exact=True).select_option(label="Olpe")
            await page.get_by_role("button", name="Ort wählen").click()
            await expect(page.get_by_role("heading", name="Konsole: Olpe")).to_be_visible()
            assert (await _start(page))["Alle Orte"] == list(TITLES.values())
            assert await accessibility_violations(page) == []
            await page.get_by_role("region", name="Alle Orte").get_by_role("link", name="Moderation").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("Moderation: Olpe")
        assert requests.foreign(web.url) == []
        await page.context.close()

    # An organisation manager: their Vereine beside the areas of their other roles (the Vereine's manager of the
    # volunteering tests, a moderator: the demo citizens stay without a Verein for the tests that count on it).
    page, requests = await new_page(browser)
    await page.goto(web.url + "/konsole/vereine")
    await log_in(page, web.url, MANAGER)
    verein = f"Lesepaten {new_marker(6)}"
    verein_path = await registered_verein(page, verein)
    await page.get_by_role("banner").get_by_role("link", name="Konsole", exact=True).click()
    assert await _start(page) == START[MANAGER]
    vereine = page.get_by_role("region", name=VEREINE)
    await expect(vereine.get_by_role("link", name=verein)).to_have_attribute("href", verein_path.removeprefix(web.url))
    item = vereine.get_by_role("listitem").filter(has_text=verein)
    await expect(item).to_contain_text("(Soest)")
    await expect(item).to_contain_text("wartet auf die Prüfung")
    await expect(page.get_by_text("Sie haben keine Aufgaben in einem Ort.")).to_have_count(0)
    assert await accessibility_violations(page) == []
    await vereine.get_by_role("link", name="Vereine: Angebote, Einsätze und Verantwortliche").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Vereine")
    assert requests.foreign(web.url) == []
    await page.context.close()


async def _town_names(web: DevService) -> list[str]:
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        towns = (await http.post("/graphql", json={"query": "{ towns { name } }"})).json()
    return [town["name"] for town in towns["data"]["towns"]]
