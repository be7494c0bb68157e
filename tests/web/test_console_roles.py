"""The console shows each person only the areas their roles open in a town: the header's "Konsole" link only to
people with a role, the console's navigation only the areas they hold there, and a page of any other area is a
403 page without the area's forms or navigation, also where the API would answer (a town's ideas are public).
The API refuses the same people on its own (one call per caller here; every root field in
tests/schema/test_authorization_matrix.py)."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.support.browser import DevService, accessibility_violations, log_in, new_page
from web.pages.console import AREA_TITLES

TITLES = AREA_TITLES
AREAS = tuple(TITLES)
MODERATION = ("moderation", "woerter", "protokoll")
# Per person: their subject at the development login, the town and area whose navigation the test reads, the areas
# that navigation lists, and the areas of Soest they hold.
PEOPLE: dict[str, tuple[str, str | None, tuple[str, ...], tuple[str, ...]]] = {
    "Clara Citizen (Soest)": ("demo-buergerin-soest", None, (), ()),
    "Mia Moderation (Soest)": ("demo-moderation-soest", "soest", MODERATION, MODERATION),
    "Moritz Moderation (Olpe)": ("demo-moderation-olpe", "olpe", MODERATION, ()),
    "Sara Staff (Soest)": ("demo-verwaltung-soest", "soest", ("ideen", "bericht"), ("ideen", "bericht")),
    "Anton Admin (Arnsberg)": ("demo-admin-arnsberg", "arnsberg", AREAS, ()),
    "Regina Region": ("demo-region", "soest", AREAS, AREAS),
}
QUEUE = "query ($town: ID!) { moderationQueue(townId: $town, first: 1) { edges { cursor } } }"


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
