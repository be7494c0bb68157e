"""The town's roles in the console, for its admins: who holds which, finding a person by e-mail address or name,
granting and revoking, and the audit log's latest entries about roles (so the change just made shows there)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import Problem
from web.forms import checked_form, text
from web.pages.console import TownIds, area_query, console_path
from web.rendering import Pages

# The roles a town's admins grant in their town (region roles and organisations' managers are granted elsewhere).
TOWN_ROLES = ("MODERATOR", "STAFF", "ADMIN")
SHORTEST_SEARCH = 3
LONGEST_SEARCH = 320


def changes_path(request: Request) -> str:
    """After a change: the roles page at its latest audit entries."""
    return console_path(request, "rollen") + "#aenderungen"


def routes(pages: Pages) -> list[Route]:
    town_id = TownIds(pages)

    async def roles(request: Request, problems: list[Problem] | None = None) -> Response:
        problems = list(problems or [])
        result = await area_query(pages, request, "rollen", "town_roles", await town_id.variables(request))
        search = request.query_params.get("suche", "").strip()
        found: list[dict[str, Any]] | None = None
        if search and not SHORTEST_SEARCH <= len(search) <= LONGEST_SEARCH:
            problems.append(
                Problem(
                    "Bitte 3 bis 320 Zeichen eingeben: einen Namen oder eine E-Mail-Adresse.", "INVALID_INPUT", "suche"
                )
            )
        elif search:
            people = await pages.api.query(request, "find_people", {"townId": await town_id(request), "text": search})
            found = people.data["findPeople"]
        names = {holder["person"]["user"]["id"]: holder["person"]["user"]["displayName"] for holder in
                 result.data["townRoleHolders"]}  # fmt: skip
        return pages.form_page(
            request,
            "console/roles.html",
            result.data,
            problems,
            search=search,
            found=found,
            names=names,
            roles=TOWN_ROLES,
        )

    async def change(request: Request, document: str) -> Response | None:
        """The grant or revocation asked for; a page with the problems if it was refused, else None."""
        form = await checked_form(request, pages.config)
        role = text(form, "role")
        if role not in TOWN_ROLES:
            return await roles(request, [Problem("Bitte eine Rolle wählen.", "INVALID_INPUT", "role")])
        variables = {"input": {"userId": text(form, "userId"), "role": role, "townId": await town_id(request)}}
        result = await pages.api.mutate(request, document, variables)
        return await roles(request, result.problems) if result.problems else None

    async def grant(request: Request) -> Response:
        refused = await change(request, "grant_role")
        return refused or pages.redirect(request, changes_path(request), flash="Die Rolle ist vergeben.")

    async def revoke(request: Request) -> Response:
        refused = await change(request, "revoke_role")
        return refused or pages.redirect(request, changes_path(request), flash="Die Rolle ist entzogen.")

    return [
        Route("/konsole/{slug}/rollen", roles, methods=["GET"]),
        Route("/konsole/{slug}/rollen", grant, methods=["POST"]),
        Route("/konsole/{slug}/rollen/entziehen", revoke, methods=["POST"]),
    ]
