"""The pages: server-rendered HTML for people, mounted at `/` by the composition root. Every page reads and writes
through the GraphQL API (`web/api.py`), with the documents in `web/documents/`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.api import Api, Execute, PageFailure
from web.config import WebConfig
from web.documents import Documents
from web.pages import (
    answers,
    audit,
    common,
    console,
    engagement,
    idea_page,
    ideas,
    moderation,
    my_page,
    reports,
    roles,
    survey_console,
    surveys,
    towns,
    vereine,
)
from web.rendering import Pages
from web.static_files import PrecompressedStaticFiles

STATIC = Path(__file__).parent / "static"
PAGE_COMPRESSION = 6


def page_policy(config: WebConfig) -> str:
    """Nothing inline, nothing from elsewhere: scripts, styles, fonts and images come from this origin only."""
    form_action = " ".join(["'self'", *config.form_origins])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self'; form-action {form_action}; base-uri 'none'; frame-ancestors 'none'"
    )


class PageHeaders:
    """The pages' content security policy, and long caching for the versioned vendored files."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.policy = policy.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        immutable = scope["path"].startswith("/static/vendor/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self.policy))
                if immutable and message["status"] == 200:
                    headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass(frozen=True)
class Web:
    """The pages' routes (each with the pages' headers and compression) and the error pages, for the composition
    root to add to the app: routes of their own rather than a mount at `/`, so that the API's routes keep their
    answers (405 with `Allow`, the trailing-slash redirects)."""

    routes: list[BaseRoute]
    exception_handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]]


def web(execute: Execute, config: WebConfig) -> Web:
    pages = Pages(Api(execute, Documents()), config)
    middleware = [
        Middleware(PageHeaders, policy=page_policy(config)),
        # zlib's default level: a page compresses to within 1 % of the best level (9) in three quarters of the time.
        Middleware(GZipMiddleware, minimum_size=500, compresslevel=PAGE_COMPRESSION),
    ]

    async def failure(request: Request, error: Exception) -> Response:
        if not isinstance(error, PageFailure):
            raise error
        if error.status == 401:
            return RedirectResponse(f"/auth/login?next={request.url.path}", status_code=303)
        data = None
        if error.status == 403:  # the header says who is logged in: the person, not the page, lacks the role
            try:
                data = (await pages.api.query(request, "layout")).data
            except PageFailure:
                data = None
        response = pages.render(
            request, "error.html", data, status=error.status, message=error.message, code=error.status
        )
        if error.retry_after:
            response.headers["Retry-After"] = error.retry_after
        return with_page_headers(response, config)

    async def not_found(request: Request, error: Exception) -> Response:
        """No route for the path: a page that says so. Other HTTP errors keep their plain answer."""
        if not isinstance(error, HTTPException):
            raise error
        if error.status_code != 404:
            return PlainTextResponse(str(error.detail), status_code=error.status_code, headers=error.headers)
        response = pages.render(request, "error.html", status=404, message="Diese Seite gibt es nicht.", code=404)
        return with_page_headers(response, config)

    routes: list[BaseRoute] = [
        Mount("/static", app=PrecompressedStaticFiles(directory=STATIC), name="static", middleware=middleware),
        *(
            Route(each.path, each.endpoint, methods=each.methods, middleware=middleware)
            # Fixed console paths (`/konsole/umfragen`, `/konsole/vereine`) before the town's (`/konsole/<slug>/…`).
            for module in (
                common,
                towns,
                ideas,
                idea_page,
                my_page,
                surveys,
                engagement,
                survey_console,
                vereine,
                reports,
                console,
                moderation,
                answers,
                audit,
                roles,
            )
            for each in module.routes(pages)
        ),
    ]
    return Web(routes, {PageFailure: failure, HTTPException: not_found})


def with_page_headers(response: Response, config: WebConfig) -> Response:
    """An error page made outside a page route still gets the pages' policy."""
    response.headers.setdefault("Content-Security-Policy", page_policy(config))
    return response
