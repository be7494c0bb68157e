"""The town's console for the people who run participation: moderation (queue, decisions, word lists, audit log),
official answers to ideas, and the moderation policy. A page shows only to those who hold the role; the API
refuses everyone else anyway (and its refusal is what the page shows)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure
from web.rendering import Pages

# Which console pages a role opens, by role (the API decides what each may do; this only lists the way there).
AREAS = {
    "MODERATOR": ("moderation", "woerter", "protokoll"),
    "STAFF": ("ideen", "bericht"),
    "ADMIN": ("moderation", "woerter", "protokoll", "ideen", "einstellungen", "rollen", "bericht"),
    "REGION_STAFF": ("bericht",),
    "REGION_ADMIN": ("bericht",),
}
# Region-wide roles hold no town: their console pages are under `/konsole/region/`.
REGION: dict[str, Any] = {"id": None, "slug": "region", "name": "Region"}


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
