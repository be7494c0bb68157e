"""My page: home town, one's ideas and comments with their moderation status, engagements and hours, notifications,
the export of one's data and the deletion of one's account (with a confirmation step)."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.forms import checked_form, same_site_path, text
from web.rendering import Pages

# The link in the "export ready" message: only its path is used, so that it stays on this site.
_EXPORT_LINK = re.compile(r"/me/export/[A-Za-z0-9_-]+")
CONFIRM_FIELD = "bestaetigung"


def download_path(notifications: list[dict[str, Any]]) -> str | None:
    """The path of the newest export's download, from the message that announced it."""
    for notification in notifications:
        if notification["kind"] == "privacy.export_ready":
            found = _EXPORT_LINK.search(notification["body"])
            return found.group(0) if found else None
    return None


def routes(pages: Pages) -> list[Route]:
    async def my_page(request: Request) -> Response:
        result = await pages.api.query(request, "my_page")
        me = result.data.get("me")
        if me is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        notifications = [edge["node"] for edge in me["notifications"]["edges"]]
        return pages.render(
            request,
            "my_page.html",
            result.data,
            notifications=notifications,
            download=download_path(notifications),
        )

    async def choose_home_town(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        result = await pages.api.mutate(request, "choose_home_town", {"slug": text(form, "ort")})
        result.raise_if_refused()
        back = same_site_path(text(form, "next"), "/mein-bereich")
        return pages.redirect(request, back, flash="Sie haben diesen Ort als Ihren Ort gewählt.")

    async def mark_read(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        chosen = text(form, "mitteilung")
        variables = {"ids": [chosen], "all": False} if chosen else {"ids": None, "all": True}
        result = await pages.api.mutate(request, "mark_notifications_read", variables)
        result.raise_if_refused()
        return pages.redirect(request, "/mein-bereich#mitteilungen", flash="Als gelesen markiert.")

    async def export(request: Request) -> Response:
        await checked_form(request, pages.config)
        result = await pages.api.mutate(request, "export_my_data")
        result.raise_if_refused()
        return pages.redirect(
            request,
            "/mein-bereich#daten",
            flash="Ihre Daten werden zusammengestellt. Sie bekommen eine Nachricht, sobald sie bereitstehen.",
        )

    async def deletion_form(request: Request, problems: list[Problem] | None = None) -> Response:
        result = await pages.api.query(request, "layout")
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        return pages.render(
            request, "delete_account.html", result.data, status=400 if problems else 200, problems=problems or []
        )

    async def show_deletion(request: Request) -> Response:
        return await deletion_form(request)

    async def delete(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        if text(form, CONFIRM_FIELD) != "ja":
            problem = Problem(
                "Bitte bestätigen Sie, dass Sie Ihr Konto löschen wollen.", "INVALID_INPUT", CONFIRM_FIELD
            )
            return await deletion_form(request, [problem])
        result = await pages.api.mutate(request, "delete_my_account", {"confirm": True})
        if result.problems:
            return await deletion_form(request, result.problems)
        session = request.scope.get("session")
        if session is not None:
            session.clear()
        return pages.redirect(request, "/", flash="Ihr Konto ist gelöscht.")

    return [
        Route("/mein-bereich", my_page, methods=["GET"]),
        Route("/mein-bereich/mein-ort", choose_home_town, methods=["POST"]),
        Route("/mein-bereich/gelesen", mark_read, methods=["POST"]),
        Route("/mein-bereich/datenexport", export, methods=["POST"]),
        Route("/mein-bereich/konto-loeschen", show_deletion, methods=["GET"]),
        Route("/mein-bereich/konto-loeschen", delete, methods=["POST"]),
    ]
