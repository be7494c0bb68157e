"""Moderation in the console: the queue with its live count, decisions, the town's word lists."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import Problem
from web.forms import checked_form, text
from web.i18n import LABELS
from web.pages.console import TownIds, area_query, console_path
from web.rendering import Pages

DECISIONS = ("PUBLISH", "REJECT", "HIDE", "RESTORE", "DISMISS_REPORTS", "UPHOLD")
# The queue's filter offers every reason the pages have a name for (a test holds the names to the API's enum).
REASONS = tuple(LABELS["ModerationReason"])


def routes(pages: Pages) -> list[Route]:
    town_id = TownIds(pages)

    async def queue(request: Request, problems: list[Problem] | None = None) -> Response:
        reason = request.query_params.get("grund")
        result = await area_query(
            pages,
            request,
            "moderation",
            "moderation_queue",
            await town_id.variables(
                request, after=request.query_params.get("nach") or None, reason=reason if reason in REASONS else None
            ),
        )
        return pages.form_page(
            request,
            "console/moderation.html",
            result.data,
            problems,
            reason=reason,
            reasons=REASONS,
            decisions=DECISIONS,
        )

    async def queue_count(request: Request) -> Response:
        """A fragment for the queue page's live notice: how many items wait now."""
        result = await pages.api.query(request, "moderation_count", {"townId": await town_id(request)})
        queue = result.data["moderationQueue"]
        count = f"{len(queue['edges'])}{'+' if queue['pageInfo']['hasNextPage'] else ''}"
        return pages.render(request, "console/_queue_count.html", count=count, slug=request.path_params["slug"])

    async def decide(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        decision = text(form, "decision")
        result = await pages.api.mutate(
            request,
            "moderate",
            {"input": {"subjectId": text(form, "subjectId"), "decision": decision, "reason": text(form, "reason")}},
        )
        if result.problems:
            return await queue(request, result.problems)
        return pages.redirect(request, console_path(request, "moderation"), flash="Die Entscheidung ist gespeichert.")

    async def terms(request: Request, problems: list[Problem] | None = None, term: str = "") -> Response:
        result = await area_query(pages, request, "woerter", "moderation_terms", await town_id.variables(request))
        return pages.form_page(request, "console/terms.html", result.data, problems, term=term)

    async def add_term(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        result = await pages.api.mutate(
            request, "add_moderation_term", {"input": {"townId": await town_id(request), "term": text(form, "term")}}
        )
        if result.problems:
            return await terms(request, result.problems, text(form, "term"))
        return pages.redirect(request, console_path(request, "woerter"), flash="Das Wort ist ergänzt.")

    async def remove_term(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        result = await pages.api.mutate(request, "remove_moderation_term", {"input": {"termId": text(form, "termId")}})
        if result.problems:
            return await terms(request, result.problems)
        return pages.redirect(request, console_path(request, "woerter"), flash="Das Wort ist entfernt.")

    return [
        Route("/konsole/{slug}/moderation", queue, methods=["GET"]),
        Route("/konsole/{slug}/moderation/anzahl", queue_count, methods=["GET"]),
        Route("/konsole/{slug}/moderation", decide, methods=["POST"]),
        Route("/konsole/{slug}/woerter", terms, methods=["GET"]),
        Route("/konsole/{slug}/woerter", add_term, methods=["POST"]),
        Route("/konsole/{slug}/woerter/entfernen", remove_term, methods=["POST"]),
    ]
