"""The town's console for the people who run participation: moderation (queue, decisions, word lists, audit log),
official answers to ideas, surveys, the participation report, the moderation policy and roles. The navigation lists
only the areas the person's roles open in the town, and a page of another area answers 403 before it shows any of
its forms (`area_query`); the API refuses those people on its own as well. The console's start (`/konsole`) lists
each town's areas, a choice of every town for region-wide roles, and the Vereine a person manages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Result
from web.rendering import Pages

# The areas of a town's console (`/konsole/<slug>/<area>`) with their titles, in the navigation's order.
AREA_TITLES = {
    "moderation": "Moderation",
    "woerter": "Wortlisten",
    "protokoll": "Protokoll",
    "ideen": "Ideen beantworten",
    "umfragen": "Umfragen",
    "einstellungen": "Einstellungen",
    "rollen": "Rollen",
    "bericht": "Beteiligungsbericht",
}
# Which areas a role opens where it is held: in its town, or for region-wide roles the region's (the API decides
# what each may do; this only shows the way there, and keeps others from a page of forms they cannot use).
AREAS = {
    "MODERATOR": ("moderation", "woerter", "protokoll"),
    "STAFF": ("ideen", "umfragen", "bericht"),
    "ADMIN": ("moderation", "woerter", "protokoll", "ideen", "umfragen", "einstellungen", "rollen", "bericht"),
    "REGION_STAFF": ("bericht",),
    "REGION_ADMIN": ("bericht",),
}
# What region-wide roles open in every town: a region admin is an admin of every town, region staff read every
# town's report.
IN_EVERY_TOWN = {"REGION_ADMIN": AREAS["ADMIN"], "REGION_STAFF": ("bericht",)}
# Region-wide roles hold no town: their console pages are under `/konsole/region/`.
REGION: dict[str, Any] = {"id": None, "slug": "region", "name": "Region"}
# Who checks the Vereine of their town before their offers appear (at `/konsole/vereine`).
VERIFYING = ("STAFF", "ADMIN")
NOT_HELD = "Dieser Bereich der Konsole ist nur für Personen mit der passenden Rolle in diesem Ort."


def town_areas(me: dict[str, Any] | None, slug: str) -> list[str]:
    """The areas of the console that the person's roles open in the town `slug` (or in the region's)."""
    held: set[str] = set()
    for assignment in (me or {}).get("roles") or ():
        town = assignment.get("town")
        if town is None:
            region_wide = AREAS if slug == REGION["slug"] else IN_EVERY_TOWN
            held.update(region_wide.get(assignment["role"], ()))
        elif town["slug"] == slug:
            held.update(AREAS.get(assignment["role"], ()))
    return [area for area in AREA_TITLES if area in held]


async def area_query(
    pages: Pages, request: Request, area: str, document: str, variables: dict[str, Any] | None = None
) -> Result:
    """A console page's data (its document spreads `ConsoleRoles`), shown only to people who hold the area in the
    path's town: anyone else is sent to log in or gets 403, also where the API would answer (a town's ideas)."""
    result = await pages.api.query(request, document, variables)
    me = result.data.get("me")
    if me is None:
        raise PageFailure(401, "Bitte melden Sie sich an.")
    if area not in town_areas(me, request.path_params.get("slug", REGION["slug"])):
        raise PageFailure(403, NOT_HELD)
    return result


class TownIds:
    """A town's global id for the slug in a console path (towns do not change while the service runs)."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.known: dict[str, str] = {}

    async def __call__(self, request: Request) -> str:
        slug = request.path_params["slug"]
        if slug not in self.known:
            result = await self.pages.api.query(request, "console_town", {"slug": slug})
            if result.data.get("town") is None:
                raise PageFailure(404, "Diesen Ort gibt es nicht.")
            self.known[slug] = result.data["town"]["id"]
        return self.known[slug]

    async def variables(self, request: Request, **more: Any) -> dict[str, Any]:
        return {"slug": request.path_params["slug"], "townId": await self(request), **more}


def console_path(request: Request, area: str) -> str:
    return f"/konsole/{request.path_params['slug']}/{area}"


def console_start(me: dict[str, Any], towns: list[dict[str, Any]], chosen: str) -> dict[str, Any]:
    """What the console's start lists: each town (and the region) where the person holds areas, with those areas and
    whether they check its Vereine; for region-wide roles every town to choose from and the chosen one's areas."""
    held: dict[str, dict[str, Any]] = {}
    for assignment in me["roles"]:
        town = assignment["town"] or REGION
        areas = town_areas(me, town["slug"])
        entry = held.setdefault(town["slug"], {"town": town, "areas": areas, "verifies": False})
        entry["verifies"] = entry["verifies"] or (assignment["town"] is not None and assignment["role"] in VERIFYING)
    every_town = [town for town in towns if town_areas(me, town["slug"])] if REGION["slug"] in held else []
    pick = next((town for town in every_town if town["slug"] == chosen), None)
    return {
        "towns": [entry for entry in held.values() if entry["areas"]],
        "every_town": every_town,
        "picked": {"town": pick, "areas": town_areas(me, pick["slug"]), "verifies": False} if pick else None,
        "manages": any(assignment["role"] == "ORGANISATION_MANAGER" for assignment in me["roles"]),
    }


def routes(pages: Pages) -> list[Route]:
    pages.environment.globals.update(console_areas=town_areas, area_titles=AREA_TITLES)

    async def index(request: Request) -> Response:
        result = await pages.api.query(request, "console")
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        start = console_start(result.data["me"], result.data["towns"], request.query_params.get("ort", ""))
        return pages.render(request, "console/index.html", result.data, **start)

    return [Route("/konsole", index, methods=["GET"])]
