"""An idea's page and the form to submit one."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.forms import checked_form, text
from web.rendering import Pages


def _location(form: FormData) -> tuple[dict[str, float] | None, list[Problem]]:
    """Typed coordinates (both or neither), as the API expects them."""
    latitude, longitude = text(form, "latitude").replace(",", "."), text(form, "longitude").replace(",", ".")
    if not latitude and not longitude:
        return None, []
    try:
        return {"latitude": float(latitude), "longitude": float(longitude)}, []
    except ValueError:
        return None, [
            Problem("Bitte Breiten- und Längengrad als Zahlen angeben, z. B. 51,57 und 8,11.", None, "latitude")
        ]


def routes(pages: Pages) -> list[Route]:
    async def idea(request: Request) -> Response:
        result = await pages.api.query(request, "idea", {"id": request.path_params["id"]})
        node = result.data.get("node")
        if node is None or node.get("__typename") != "Idea":
            raise PageFailure(404, "Diese Idee gibt es nicht oder sie ist nicht öffentlich.")
        return pages.render(request, "idea.html", result.data, idea=node)

    async def submit_form(
        request: Request, values: dict[str, str] | None = None, problems: list[Problem] | None = None
    ) -> Response:
        slug = (values or {}).get("town") or request.query_params.get("ort") or ""
        result = await pages.api.query(request, "submit_idea_form", {"slug": slug})
        me = result.data.get("me")
        if me is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        # Without a town chosen (and not asked to choose another): the person's own town.
        if not slug and "ort" not in request.query_params and me.get("homeTown"):
            result = await pages.api.query(request, "submit_idea_form", {"slug": me["homeTown"]["slug"]})
        return pages.render(
            request,
            "submit_idea.html",
            result.data,
            status=400 if problems else 200,
            values=values or {},
            problems=problems or [],
        )

    async def show_submit(request: Request) -> Response:
        return await submit_form(request)

    async def submit(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        values = {name: text(form, name) for name in ("town", "townId", "strategyAreaId", "title", "body")}
        values |= {name: text(form, name) for name in ("latitude", "longitude", "imageAltTexts")}
        location, problems = _location(form)
        if problems:
            return await submit_form(request, values, problems)
        variables: dict[str, Any] = {
            "input": {
                "townId": values["townId"],
                "strategyAreaId": values["strategyAreaId"],
                "title": values["title"],
                "body": values["body"],
                "location": location,
                "imageAltTexts": [line.strip() for line in values["imageAltTexts"].splitlines() if line.strip()]
                or None,
            }
        }
        result = await pages.api.mutate(request, "submit_idea", variables)
        if result.problems:
            return await submit_form(request, values, result.problems)
        idea_id = result.data["submitIdea"]["idea"]["id"]
        return pages.redirect(
            request, f"/ideen/{idea_id}", flash="Danke! Ihre Idee ist eingereicht und wird nun geprüft."
        )

    async def appeal(request: Request) -> Response:
        """The author asks the moderators to look again at a rejected or hidden idea."""
        form = await checked_form(request, pages.config)
        idea_id = request.path_params["id"]
        result = await pages.api.mutate(
            request, "appeal_decision", {"input": {"subjectId": idea_id, "text": text(form, "text")}}
        )
        if not result.problems:
            return pages.redirect(
                request, f"/ideen/{idea_id}", flash="Ihr Antrag ist eingegangen. Die Moderation prüft erneut."
            )
        shown = await pages.api.query(request, "idea", {"id": idea_id})
        return pages.render(
            request,
            "idea.html",
            shown.data,
            status=400,
            idea=shown.data["node"],
            appeal_problems=result.problems,
            appeal_text=text(form, "text"),
        )

    return [
        Route("/ideen/neu", show_submit, methods=["GET"]),
        Route("/ideen/neu", submit, methods=["POST"]),
        Route("/ideen/{id}", idea, methods=["GET"]),
        Route("/ideen/{id}/einspruch", appeal, methods=["POST"]),
    ]
