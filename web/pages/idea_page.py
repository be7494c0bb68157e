"""An idea's page and what people do there: support, comment and reply, report; for its author: edit while
pending, withdraw, ask for review. Every action is a form post; with JavaScript, support updates in place."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.forms import checked_form, text
from web.pages.ideas import alt_texts, idea_values, typed_location
from web.rendering import Pages

REPORT_REASONS = ("SPAM", "OFFENSIVE", "OFF_TOPIC", "PERSONAL_DATA")


def _idea_node(data: dict[str, Any]) -> dict[str, Any]:
    node = data.get("node")
    if node is None or node.get("__typename") != "Idea":
        raise PageFailure(404, "Diese Idee gibt es nicht oder sie ist nicht öffentlich.")
    return dict(node)


def _is_author(data: dict[str, Any], idea: dict[str, Any]) -> bool:
    me, author = data.get("me"), idea.get("author")
    return bool(me and author and author["id"] == me["user"]["id"])


def _at(problems: list[Problem], fields: dict[str, str], default: str) -> list[Problem]:
    """The API's problems shown at the form that was sent: its fields have ids of their own on the page."""
    return [Problem(each.message, each.code, fields.get(each.field or "", default)) for each in problems]


def routes(pages: Pages) -> list[Route]:
    async def show(
        request: Request, *, problems: list[Problem] | None = None, values: dict[str, str] | None = None
    ) -> Response:
        idea_id = request.path_params["id"]
        result = await pages.api.query(request, "idea", {"id": idea_id})
        idea = _idea_node(result.data)
        replies: dict[str, list[dict[str, Any]]] = {}
        for comment in idea["comments"]:
            if comment["replyTo"]:
                replies.setdefault(comment["replyTo"], []).append(comment)
        return pages.render(
            request,
            "idea.html",
            result.data,
            status=400 if problems else 200,
            idea=idea,
            is_author=_is_author(result.data, idea),
            threads=[(each, replies.get(each["id"], [])) for each in idea["comments"] if not each["replyTo"]],
            reasons=REPORT_REASONS,
            problems=problems or [],
            values=values or {},
            announce=None,
        )

    async def idea(request: Request) -> Response:
        return await show(request)

    async def done(request: Request, flash: str) -> Response:
        return pages.redirect(request, f"/ideen/{request.path_params['id']}", flash=flash)

    async def support(request: Request, document: str, flash: str) -> Response:
        await checked_form(request, pages.config)
        result = await pages.api.mutate(request, document, {"id": request.path_params["id"]})
        if request.headers.get("HX-Request") == "true":
            # In place: the support block anew, with the outcome (or the problem) announced.
            page = await pages.api.query(request, "idea", {"id": request.path_params["id"]})
            message = result.problems[0].message if result.problems else flash
            return pages.render(request, "_support.html", page.data, idea=_idea_node(page.data), announce=message)
        if result.problems:
            return await show(request, problems=result.problems)
        return await done(request, flash)

    async def add_support(request: Request) -> Response:
        return await support(request, "support_idea", "Sie unterstützen diese Idee.")

    async def withdraw_support(request: Request) -> Response:
        return await support(request, "withdraw_support", "Sie unterstützen diese Idee nicht mehr.")

    async def comment(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        reply_to = text(form, "replyTo") or None
        field = f"antwort-{reply_to}" if reply_to else "kommentar"
        body = text(form, field)
        variables = {"input": {"ideaId": request.path_params["id"], "body": body, "replyTo": reply_to}}
        result = await pages.api.mutate(request, "comment_on_idea", variables)
        if result.problems:
            return await show(request, problems=_at(result.problems, {}, field), values={field: body})
        return await done(request, "Danke für Ihren Kommentar.")

    async def report(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        comment_id = text(form, "commentId") or None
        target = comment_id or "idee"
        reason, words = text(form, f"grund-{target}"), text(form, f"meldung-{target}")
        if reason not in REPORT_REASONS:
            problem = Problem("Bitte wählen Sie einen Grund für die Meldung.", "INVALID_INPUT", f"grund-{target}")
            return await show(request, problems=[problem], values={f"meldung-{target}": words})
        subject = {"commentId": comment_id} if comment_id else {"ideaId": request.path_params["id"]}
        result = await pages.api.mutate(
            request, "report_content", {"input": {"reason": reason, "text": words, **subject}}
        )
        if result.problems:
            fields = {"reason": f"grund-{target}"}
            problems = _at(result.problems, fields, f"meldung-{target}")
            values = {f"meldung-{target}": words, f"grund-{target}": reason}
            return await show(request, problems=problems, values=values)
        return await done(request, "Danke für Ihre Meldung. Die Moderation sieht sie sich an.")

    async def withdraw(request: Request) -> Response:
        await checked_form(request, pages.config)
        result = await pages.api.mutate(request, "withdraw_idea", {"id": request.path_params["id"]})
        if result.problems:
            return await show(request, problems=result.problems)
        return await done(request, "Sie haben Ihre Idee zurückgezogen.")

    async def appeal(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        words = text(form, "einspruch")
        variables = {"input": {"subjectId": request.path_params["id"], "text": words}}
        result = await pages.api.mutate(request, "appeal_decision", variables)
        if result.problems:
            return await show(request, problems=_at(result.problems, {}, "einspruch"), values={"einspruch": words})
        return await done(request, "Ihre Bitte um Überprüfung ist bei der Moderation.")

    return [
        Route("/ideen/{id}", idea, methods=["GET"]),
        Route("/ideen/{id}/unterstuetzen", add_support, methods=["POST"]),
        Route("/ideen/{id}/nicht-mehr-unterstuetzen", withdraw_support, methods=["POST"]),
        Route("/ideen/{id}/kommentieren", comment, methods=["POST"]),
        Route("/ideen/{id}/melden", report, methods=["POST"]),
        Route("/ideen/{id}/zurueckziehen", withdraw, methods=["POST"]),
        Route("/ideen/{id}/ueberpruefen-lassen", appeal, methods=["POST"]),
        *edit_routes(pages),
    ]


def edit_routes(pages: Pages) -> list[Route]:
    """The author's form to change their idea while it is pending."""

    async def edit_form(
        request: Request, values: dict[str, str] | None = None, problems: list[Problem] | None = None
    ) -> Response:
        result = await pages.api.query(request, "edit_idea_form", {"id": request.path_params["id"]})
        idea = _idea_node(result.data)
        if not _is_author(result.data, idea) or idea["lifecycle"] != "PENDING":
            raise PageFailure(403, "Nur die eigene Idee und nur, solange sie geprüft wird, lässt sich bearbeiten.")
        location = idea["location"] or {}
        current = {
            "strategyAreaId": idea["strategyArea"]["id"],
            "title": idea["title"],
            "body": idea["body"],
            "latitude": str(location.get("latitude", "")),
            "longitude": str(location.get("longitude", "")),
            "imageAltTexts": "\n".join(idea["imageAltTexts"]),
        }
        return pages.render(
            request,
            "edit_idea.html",
            result.data,
            status=400 if problems else 200,
            idea=idea,
            values=values if values is not None else current,
            problems=problems or [],
        )

    async def show_edit(request: Request) -> Response:
        return await edit_form(request)

    async def edit(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        values = idea_values(form)
        location, problems = typed_location(form)
        if problems:
            return await edit_form(request, values, problems)
        variables = {
            "input": {
                "ideaId": request.path_params["id"],
                "strategyAreaId": values["strategyAreaId"],
                "title": values["title"],
                "body": values["body"],
                "location": location,
                "imageAltTexts": alt_texts(values) or [],
            }
        }
        result = await pages.api.mutate(request, "edit_idea", variables)
        if result.problems:
            return await edit_form(request, values, result.problems)
        return pages.redirect(request, f"/ideen/{request.path_params['id']}", flash="Ihre Änderungen sind gespeichert.")

    return [
        Route("/ideen/{id}/bearbeiten", show_edit, methods=["GET"]),
        Route("/ideen/{id}/bearbeiten", edit, methods=["POST"]),
    ]
