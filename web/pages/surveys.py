"""Surveys for citizens: a town's list, a survey's page with its answer form, and its public results after close.

Show-if without JavaScript: the form shows every question at once, each conditional one with a hint saying when it
is to be answered; the server applies the conditions when the form arrives (a hidden question is not required and
its answer is dropped). With JavaScript, `survey.js` hides and shows the conditional questions as one answers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web import survey_answers, survey_format
from web.api import PageFailure, Problem
from web.charts import survey_charts
from web.forms import checked_form
from web.i18n import negotiate, translator
from web.rendering import Pages


def by_id(survey: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {question["id"]: question for question in survey["questions"]}


def routes(pages: Pages) -> list[Route]:
    survey_format.register(pages.environment)

    async def town_surveys(request: Request) -> Response:
        variables = {"slug": request.path_params["slug"], "after": request.query_params.get("nach") or None}
        result = await pages.api.query(request, "town_surveys", variables)
        if result.data.get("town") is None:
            raise PageFailure(404, "Diesen Ort gibt es nicht.")
        return pages.render(request, "town_surveys.html", result.data, town=result.data["town"])

    async def survey_page(
        request: Request, values: dict[str, Any] | None = None, problems: list[Problem] | None = None
    ) -> Response:
        result = await pages.api.query(request, "survey", {"id": request.path_params["id"]})
        survey = result.data.get("survey")
        if survey is None or survey["status"] not in ("PUBLISHED", "CLOSED"):
            raise PageFailure(404, "Diese Umfrage gibt es nicht oder sie ist nicht öffentlich.")
        public_results = survey["results"] if survey["status"] == "CLOSED" else None
        return pages.render(
            request,
            "survey.html",
            result.data,
            status=400 if problems else 200,
            survey=survey,
            by_id=by_id(survey),
            values=values or {},
            problems=problems or [],
            results=public_results,
            charts=survey_charts(survey["questions"], public_results, translator(negotiate(request))),
        )

    async def show(request: Request) -> Response:
        return await survey_page(request)

    async def answer(request: Request) -> Response:
        form = await checked_form(request, pages.config)
        survey_id = request.path_params["id"]
        current = await pages.api.query(request, "survey", {"id": survey_id})
        survey = current.data.get("survey")
        if survey is None:
            raise PageFailure(404, "Diese Umfrage gibt es nicht oder sie ist nicht öffentlich.")
        read = survey_answers.read(survey["questions"], form)
        if read.problems:
            return await survey_page(request, read.values, read.problems)
        sent = await pages.api.mutate(
            request, "answer_survey", {"input": {"surveyId": survey_id, "answers": read.answers}}
        )
        if sent.problems:
            return await survey_page(request, read.values, [survey_answers.at_question(each) for each in sent.problems])
        return pages.redirect(request, f"/umfragen/{survey_id}", flash="Danke! Ihre Antworten sind gespeichert.")

    return [
        Route("/orte/{slug}/umfragen", town_surveys, methods=["GET"]),
        Route("/umfragen/{id}", show, methods=["GET"]),
        Route("/umfragen/{id}", answer, methods=["POST"]),
    ]
