"""The town's staff and admins in the console: official answers to ideas, the moderation policy."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem, Result
from web.forms import checked_form, optional, text
from web.pages.console import TownIds, area_query, console_path
from web.rendering import Pages

POLICIES = ("OFF", "FIRST_POST", "ALWAYS", "RISK_BASED")
STATUSES = ("UNDER_REVIEW", "ACCEPTED", "IMPLEMENTED", "DECLINED")


def routes(pages: Pages) -> list[Route]:
    town_id = TownIds(pages)

    async def ideas(
        request: Request, problems: list[Problem] | None = None, values: dict[str, str] | None = None
    ) -> Response:
        status = request.query_params.get("status")
        result = await area_query(
            pages,
            request,
            "ideen",
            "town_ideas_console",
            {
                "slug": request.path_params["slug"],
                "status": status if status in STATUSES else None,
                "after": request.query_params.get("nach") or None,
            },
        )
        if result.data.get("town") is None:
            raise PageFailure(404, "Diesen Ort gibt es nicht.")
        return pages.form_page(
            request, "console/ideas.html", result.data, problems, values=values or {}, statuses=STATUSES, chosen=status
        )

    async def answer(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        values = {name: text(form, name) for name in ("ideaId", "status", "answer")}
        result = await pages.api.mutate(request, "answer_idea", {"input": values})
        if result.problems:
            return await ideas(request, result.problems, values)
        return pages.redirect(request, console_path(request, "ideen"), flash="Die Antwort ist veröffentlicht.")

    async def settings(request: Request, problems: list[Problem] | None = None) -> Response:
        result: Result = await area_query(
            pages, request, "einstellungen", "moderation_settings", await town_id.variables(request)
        )
        return pages.form_page(request, "console/settings.html", result.data, problems, policies=POLICIES)

    async def save_settings(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        threshold = optional(form, "reportThreshold") or ""
        if not threshold.isdigit():
            return await settings(request, [Problem("Bitte eine ganze Zahl angeben.", None, "reportThreshold")])
        result = await pages.api.mutate(
            request,
            "set_moderation_policy",
            {
                "input": {
                    "townId": await town_id(request),
                    "policy": text(form, "policy"),
                    "reportThreshold": int(threshold),
                }
            },
        )
        if result.problems:
            return await settings(request, result.problems)
        return pages.redirect(
            request,
            console_path(request, "einstellungen"),
            flash="Die Einstellungen sind gespeichert.",
        )

    return [
        Route("/konsole/{slug}/ideen", ideas, methods=["GET"]),
        Route("/konsole/{slug}/ideen", answer, methods=["POST"]),
        Route("/konsole/{slug}/einstellungen", settings, methods=["GET"]),
        Route("/konsole/{slug}/einstellungen", save_settings, methods=["POST"]),
    ]
