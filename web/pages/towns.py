"""The region's home page and each town's page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure
from web.forms import checked_form
from web.rendering import Pages

PAGE_SIZE = 20
ORDERS = ("NEWEST", "MOST_SUPPORTED", "RECENTLY_ANSWERED", "RELEVANCE")
STATUSES = ("UNDER_REVIEW", "ACCEPTED", "IMPLEMENTED", "DECLINED")


def idea_filter(request: Request) -> tuple[dict[str, Any], str | None]:
    """The feed's filter and order from the query string; unknown values are ignored, never an error page."""
    params = request.query_params
    chosen: dict[str, Any] = {}
    if params.get("handlungsfeld"):
        chosen["strategyAreaId"] = params["handlungsfeld"]
    if params.get("status") in STATUSES:
        chosen["status"] = params["status"]
    if params.get("suche", "").strip():
        chosen["text"] = params["suche"].strip()
    order = params.get("reihenfolge")
    if order not in ORDERS or (order == "RELEVANCE" and "text" not in chosen):
        order = None
    return chosen, order


def routes(pages: Pages) -> list[Route]:
    async def home(request: Request) -> Response:
        result = await pages.api.query(request, "home")
        return pages.render(request, "home.html", result.data)

    async def town(request: Request) -> Response:
        chosen, order = idea_filter(request)
        result = await pages.api.query(
            request,
            "town",
            {
                "slug": request.path_params["slug"],
                "first": PAGE_SIZE,
                "after": request.query_params.get("nach") or None,
                "filter": chosen or None,
                "orderBy": order,
            },
        )
        if result.data.get("town") is None:
            raise PageFailure(404, "Diesen Ort gibt es nicht.")
        kept = urlencode([(key, value) for key, value in request.query_params.multi_items() if key != "nach"])
        return pages.render(
            request,
            "town.html",
            result.data,
            chosen=chosen,
            order=order,
            query=request.query_params,
            paging_base=f"/orte/{request.path_params['slug']}" + (f"?{kept}" if kept else ""),
        )

    async def choose_home_town(request: Request) -> Response:
        await checked_form(request, pages.config)
        slug = request.path_params["slug"]
        result = await pages.api.mutate(request, "choose_home_town", {"slug": slug})
        result.raise_if_refused()
        return pages.redirect(request, f"/orte/{slug}", flash="Sie haben diesen Ort als Ihren Ort gewählt.")

    return [
        Route("/", home, methods=["GET"]),
        Route("/orte/{slug}", town, methods=["GET"]),
        Route("/orte/{slug}/mein-ort", choose_home_town, methods=["POST"]),
    ]
