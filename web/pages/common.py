"""Pages every visitor may need: the accessibility statement, the language switch, the developer console."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.forms import same_site_path
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.rendering import Pages

YEAR_SECONDS = 365 * 24 * 3600
GRAPHIQL_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def routes(pages: Pages) -> list[Route]:
    async def accessibility(request: Request) -> Response:
        result = await pages.api.query(request, "layout")
        return pages.render(request, "accessibility.html", result.data)

    async def language(request: Request) -> Response:
        """Sets the language of the pages (a cookie, no personal data) and goes back where the person was."""
        chosen = request.query_params.get("lang", "de")
        response = RedirectResponse(same_site_path(request.query_params.get("next")), status_code=303)
        if chosen in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR_SECONDS, samesite="lax", httponly=True)
        return response

    async def developer_console(request: Request) -> Response:
        result = await pages.api.query(request, "layout")
        response = pages.render(request, "graphiql.html", result.data)
        # GraphiQL's stylesheet carries its fonts as data URLs; everything else as on every page.
        response.headers["Content-Security-Policy"] = GRAPHIQL_POLICY
        return response

    return [
        Route("/barrierefreiheit", accessibility, methods=["GET"]),
        Route("/sprache", language, methods=["GET"]),
        Route("/entwickler", developer_console, methods=["GET"]),
    ]
