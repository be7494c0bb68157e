"""The town's console for the people who run participation: moderation (queue, decisions, word lists, audit log),
official answers to ideas, and the moderation policy. The navigation lists only the areas the person's roles open
in the town, and a page of another area answers 403 before it shows any of its forms (`area_query`); the API
refuses those people on its own as well."""

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
    "einstellungen": "Einstellungen",
    "rollen": "Rollen",
    "bericht": "Beteiligungsbericht",
}
# Which areas a role opens where it is held: in its town, or for region-wide roles the region's (the API decides
# what each may do; this only shows the way there, and keeps others from a page of forms they cannot use).
AREAS = {
    "MODERATOR": ("moderation", "woerter", "protokoll"),
    "STAFF": ("ideen", "bericht"),
    "ADMIN": ("moderation", "woerter", "protokoll", "ideen", "einstellungen", "rollen", "bericht"),
    "REGION_STAFF": ("bericht",),
    "REGION_ADMIN": ("bericht",),
}
# What region-wide roles open in every town: a region admin is an admin of every town, region staff read every
# town's report.
IN_EVERY_TOWN = {"REGION_ADMIN": AREAS["ADMIN"], "REGION_STAFF": ("bericht",)}
# Region-wide roles hold no town: their console pages are under `/konsole/region/`.
REGION: dict[str, Any] = {"id": None, "slug": "region", "name": "Region"}
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


def routes(pages: Pages) -> list[Route]:
    pages.environment.globals.update(console_areas=town_areas, area_titles=AREA_TITLES)

    async def index(request: Request) -> Response:
        result = await pages.api.query(request, "console")
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        towns: dict[str, dict[str, Any]] = {}
        for assignment in result.data["me"]["roles"]:
            town = assignment["town"] or REGION
            entry = towns.setdefault(town["slug"], {"town": town, "areas": []})
            for area in AREAS.get(assignment["role"], ()):
                if area not in entry["areas"]:
                    entry["areas"].append(area)
        return pages.render(request, "console/index.html", result.data, towns=list(towns.values()))

    return [Route("/konsole", index, methods=["GET"])]
