"""Pages as HTML: Jinja2 templates (escaping on), the layout's data, redirects after a post."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from web.api import Api, Problem
from web.config import WebConfig
from web.forms import LazyToken
from web.i18n import FixedTexts, label, negotiate, translator

TEMPLATES = Path(__file__).parent / "templates"
FLASH = "flash"


class PageEnvironment(Environment):
    """Templates read the API's answers, plain dicts: `idea.title` looks the key up first. Jinja's own order
    (attribute first, then key) fails an attribute lookup, an exception, for every field a page shows."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class Pages:
    """What every page handler uses: the API client, the templates and the layout's data."""

    def __init__(self, api: Api, config: WebConfig) -> None:
        self.api = api
        self.config = config
        self.environment = PageEnvironment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates are files of the package: read and compiled once, not checked for changes on every page.
            auto_reload=False,
            extensions=[FixedTexts],
        )
        self.environment.globals["label"] = label
        # The pages in English: the same filters and globals (shared with the overlay), templates compiled apart.
        english = self.environment.overlay()
        english_texts = english.extensions[FixedTexts.identifier]
        assert isinstance(english_texts, FixedTexts)  # noqa: S101 - added just above
        english_texts.language = "en"
        self.environments = {"de": self.environment, "en": english}

    def render(
        self, request: Request, template: str, data: dict[str, Any] | None = None, *, status: int = 200, **context: Any
    ) -> HTMLResponse:
        language = negotiate(request)
        session = request.scope.get("session")
        flash = session.pop(FLASH, None) if session is not None else None
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        page = (
            self.environments[language]
            .get_template(template)
            .render(
                request=request,
                lang=language,
                _=translator(language),
                csrf=LazyToken(request, self.config),
                login_enabled=self.config.login,
                me=(data or {}).get("me"),
                data=data or {},
                flash=flash,
                here=path,
                **context,
            )
        )
        return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store", "Vary": "Cookie"})

    def form_page(
        self,
        request: Request,
        template: str,
        data: dict[str, Any] | None,
        problems: Sequence[Problem] | None,
        **context: Any,
    ) -> HTMLResponse:
        """A page with forms: as asked for (200), or again with the problems of a refused post (400), which the
        template shows in its error summary and beside its fields."""
        return self.render(
            request, template, data, status=400 if problems else 200, problems=list(problems or ()), **context
        )

    @staticmethod
    def redirect(request: Request, path: str, *, flash: str | None = None) -> RedirectResponse:
        """After a successful post: see the result at `path` (POST, then redirect, then GET)."""
        session = request.scope.get("session")
        if flash and session is not None:
            session[FLASH] = flash
        return RedirectResponse(path, status_code=303)
