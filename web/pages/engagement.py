"""Volunteering for citizens: the search of offers with one's own engagements, an offer's page with its shifts, and
signing up, cancelling and confirming an offered place (plain form posts, back to the page one came from)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.forms import checked_form, same_site_path, text
from web.local_time import add_filters, day_start
from web.rendering import Pages

RADIUS_KM = 10.0


def _number(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def offer_filter(params: QueryParams) -> tuple[dict[str, Any], list[Problem]]:
    """The search from the query string: what is typed wrongly is named, and left out of the search."""
    chosen: dict[str, Any] = {}
    problems: list[Problem] = []
    if params.get("suche", "").strip():
        chosen["text"] = params["suche"].strip()
    skills = [skill.strip() for skill in params.get("faehigkeiten", "").split(",") if skill.strip()]
    if skills:
        chosen["skills"] = skills
    if params.get("handlungsfeld"):
        chosen["strategyAreaId"] = params["handlungsfeld"]
    for name, key, days_later in (("von", "startsAfter", 0), ("bis", "startsBefore", 1)):
        if params.get(name, "").strip():
            instant = day_start(params[name], days_later=days_later)
            if instant is None:
                problems.append(Problem("Bitte ein Datum wie 24.12.2026 wählen.", "DATE_INVALID", name))
            else:
                chosen[key] = instant
    latitude, longitude = params.get("breite", "").strip(), params.get("laenge", "").strip()
    if latitude or longitude:
        near = {"latitude": _number(latitude), "longitude": _number(longitude)}
        radius = _number(params.get("umkreis", "").strip() or str(RADIUS_KM))
        if None in near.values() or radius is None or radius <= 0:
            problems.append(
                Problem(
                    "Für die Entfernung bitte Breiten- und Längengrad und einen Umkreis in km als Zahlen angeben.",
                    "LOCATION_INVALID",
                    "latitude",
                )
            )
        else:
            chosen["near"] = near | {"radiusKm": radius}
    return chosen, problems


def routes(pages: Pages) -> list[Route]:
    add_filters(pages.environment)

    async def search(request: Request) -> Response:
        chosen, problems = offer_filter(request.query_params)
        result = await pages.api.query(
            request, "engagement", {"filter": chosen or None, "after": request.query_params.get("nach") or None}
        )
        mine = None
        if result.data.get("me"):
            mine = (await pages.api.query(request, "my_engagements")).data["myEngagements"]
        kept = urlencode([(key, value) for key, value in request.query_params.multi_items() if key != "nach"])
        return pages.render(
            request,
            "engagement.html",
            result.data,
            status=400 if problems else 200,
            problems=problems,
            query=request.query_params,
            chosen=chosen,
            mine=mine,
            paging_base="/engagement" + (f"?{kept}" if kept else ""),
        )

    async def offer_page(request: Request, problems: list[Problem] | None = None) -> Response:
        result = await pages.api.query(request, "offer", {"id": request.path_params["id"]})
        node = result.data.get("node")
        if node is None or node.get("__typename") != "VolunteerOffer":
            raise PageFailure(404, "Dieses Angebot gibt es nicht oder es ist nicht veröffentlicht.")
        return pages.render(
            request, "offer.html", result.data, status=400 if problems else 200, offer=node, problems=problems or []
        )

    async def offer(request: Request) -> Response:
        return await offer_page(request)

    def action(document: str, variables: Any, flash: str) -> Any:
        async def handle(request: Request) -> Response:
            form = await checked_form(request, pages.config)
            back = same_site_path(text(form, "zurueck"), "/engagement")
            result = await pages.api.mutate(request, document, variables(form))
            if result.problems:
                if back.startswith("/angebote/"):
                    request.scope["path_params"] = {"id": back.removeprefix("/angebote/")}
                    return await offer_page(request, result.problems)
                result.raise_if_refused()
            return pages.redirect(request, back, flash=flash)

        return handle

    sign_up = action(
        "sign_up_for_shift",
        lambda form: {"shiftId": text(form, "shiftId"), "shareContact": text(form, "kontakt") == "ja"},
        "Sie sind angemeldet. Ihren Stand sehen Sie beim Einsatz.",
    )
    cancel = action("cancel_sign_up", lambda form: {"signUpId": text(form, "signUpId")}, "Ihre Anmeldung ist abgesagt.")
    confirm = action(
        "confirm_offered_place",
        lambda form: {"signUpId": text(form, "signUpId")},
        "Danke! Sie haben den angebotenen Platz angenommen.",
    )

    return [
        Route("/engagement", search, methods=["GET"]),
        Route("/engagement/anmelden", sign_up, methods=["POST"]),
        Route("/engagement/absagen", cancel, methods=["POST"]),
        Route("/engagement/bestaetigen", confirm, methods=["POST"]),
        Route("/angebote/{id:path}", offer, methods=["GET"]),
    ]
