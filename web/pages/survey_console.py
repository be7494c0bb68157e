"""The town staff's surveys in the console: list, builder (settings and questions of every kind, order, required,
show-if), preview as citizens see it, publish, close, archive, results with charts, and the CSV download.

Every change goes through the API (`draftSurvey`, `updateSurvey`, `setSurveyQuestions`, ...), which decides who
may; the pages appear only to the people whose roles open the town's console area `umfragen` (its staff and admins,
region admins); a town's list is that area, `/konsole/<slug>/umfragen`, with the town's console navigation."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web import survey_builder, survey_format
from web.api import PageFailure, Problem
from web.charts import survey_charts
from web.forms import checked_form, text
from web.i18n import negotiate, translator
from web.pages.console import area_query, town_areas
from web.pages.surveys import by_id
from web.rendering import Pages

NOT_STAFF = "Diese Seite ist für die Verwaltung der Stadt."
STATUS_ACTIONS = {
    "veroeffentlichen": ("publish_survey", "Die Umfrage ist veröffentlicht."),
    "beenden": ("close_survey", "Die Umfrage ist beendet."),
    "archivieren": ("archive_survey", "Die Umfrage ist archiviert."),
}


def manages(me: dict[str, Any] | None, town_slug: str) -> bool:
    """Whether the person runs the town's surveys: its console area `umfragen` is theirs."""
    return "umfragen" in town_areas(me, town_slug)


def managed_towns(me: dict[str, Any] | None, towns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [town for town in towns if manages(me, town["slug"])]


class Console:
    """The console's survey pages; each method is one page or one form's action."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        survey_format.register(pages.environment)

    async def town_list(self, request: Request) -> Response:
        """The surveys of the town asked for (`?ort=`), else of the first the person runs: that town's area."""
        slug = request.query_params.get("ort", "")
        result = await self.pages.api.query(request, "console_surveys", {"slug": slug})
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        towns = managed_towns(result.data["me"], result.data["towns"])
        if not towns:
            raise PageFailure(403, NOT_STAFF)
        chosen = slug if slug in {town["slug"] for town in towns} else towns[0]["slug"]
        return RedirectResponse(f"/konsole/{chosen}/umfragen", status_code=303)

    async def town_surveys(self, request: Request) -> Response:
        result = await area_query(
            self.pages, request, "umfragen", "console_surveys", {"slug": request.path_params["slug"]}
        )
        town = result.data.get("town")
        if town is None:
            raise PageFailure(404, "Diesen Ort gibt es nicht.")
        towns = managed_towns(result.data["me"], result.data["towns"])
        return self.pages.render(request, "console_surveys.html", result.data, towns=towns, town=town)

    async def managed(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """The page's data and the survey, when the person runs its town's surveys (else 404 or 403)."""
        result = await self.pages.api.query(request, "console_survey", {"id": request.path_params["id"]})
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        survey = result.data.get("survey")
        if survey is None:
            raise PageFailure(404, "Diese Umfrage gibt es nicht (mehr).")
        if not manages(result.data["me"], survey["town"]["slug"]):
            raise PageFailure(403, NOT_STAFF)
        return result.data, survey

    def charts(self, request: Request, survey: dict[str, Any]) -> dict[str, Any]:
        return survey_charts(survey["questions"], survey["results"], translator(negotiate(request)))

    async def builder(
        self, request: Request, problems: list[Problem] | None = None, values: dict[str, Any] | None = None
    ) -> Response:
        data, survey = await self.managed(request)
        return self.pages.form_page(
            request,
            "console_survey.html",
            data,
            problems,
            survey=survey,
            values=values or survey_builder.settings_values(survey),
            charts=self.charts(request, survey),
            kinds=survey_builder.KINDS,
        )

    async def show_builder(self, request: Request) -> Response:
        return await self.builder(request)

    async def new_form(
        self, request: Request, values: dict[str, Any] | None = None, problems: list[Problem] | None = None
    ) -> Response:
        slug = (values or {}).get("town") or request.query_params.get("ort", "")
        result = await self.pages.api.query(request, "console_surveys", {"slug": slug})
        town = result.data.get("town")
        if result.data.get("me") is None:
            raise PageFailure(401, "Bitte melden Sie sich an.")
        if town is None or not manages(result.data["me"], town["slug"]):
            raise PageFailure(403, NOT_STAFF)
        return self.pages.form_page(
            request,
            "console_survey_new.html",
            result.data,
            problems,
            town=town,
            values=values or {"audience": "EVERYONE"},
        )

    async def show_new(self, request: Request) -> Response:
        return await self.new_form(request)

    async def create(self, request: Request) -> Response:
        form = await checked_form(request, self.pages.config)
        settings, values, problems = survey_builder.settings_from_form(form)
        values |= {"town": text(form, "town"), "townId": text(form, "townId")}
        if problems:
            return await self.new_form(request, values, problems)
        result = await self.pages.api.mutate(
            request, "draft_survey", {"input": {"townId": values["townId"], **settings}}
        )
        if result.problems:
            return await self.new_form(request, values, result.problems)
        survey_id = result.data["draftSurvey"]["survey"]["id"]
        return self.pages.redirect(
            request, f"/konsole/umfragen/{survey_id}", flash="Der Entwurf ist angelegt. Fügen Sie nun Fragen hinzu."
        )

    async def update(self, request: Request) -> Response:
        form = await checked_form(request, self.pages.config)
        settings, values, problems = survey_builder.settings_from_form(form)
        if problems:
            return await self.builder(request, problems, values)
        survey_id = request.path_params["id"]
        changes = dict(settings)
        result = await self.pages.api.mutate(request, "update_survey", {"input": {"surveyId": survey_id, **changes}})
        if result.problems:
            return await self.builder(request, result.problems, values)
        return self.pages.redirect(
            request, f"/konsole/umfragen/{survey_id}", flash="Die Einstellungen sind gespeichert."
        )

    async def change_status(self, request: Request) -> Response:
        form = await checked_form(request, self.pages.config)
        action = STATUS_ACTIONS.get(text(form, "aktion"))
        if action is None:
            raise PageFailure(400, "Diese Aktion gibt es nicht.")
        survey_id = request.path_params["id"]
        result = await self.pages.api.mutate(request, action[0], {"id": survey_id})
        if result.problems:
            return await self.builder(request, result.problems)
        return self.pages.redirect(request, f"/konsole/umfragen/{survey_id}", flash=action[1])

    async def save_questions(self, request: Request, drafts: list[survey_builder.Draft]) -> list[Problem]:
        variables = {"input": {"surveyId": request.path_params["id"], "questions": survey_builder.as_inputs(drafts)}}
        result = await self.pages.api.mutate(request, "set_survey_questions", variables)
        return result.problems

    async def editor(
        self, request: Request, kind: str, values: dict[str, Any] | None = None, problems: list[Problem] | None = None
    ) -> Response:
        data, survey = await self.managed(request)
        position = request.path_params.get("position")
        questions = survey["questions"]
        question = None
        if position is not None:
            question = next((each for each in questions if each["position"] == int(position)), None)
            if question is None:
                raise PageFailure(404, "Diese Frage gibt es nicht (mehr).")
            kind = question["kind"]
            if values is None:
                values = survey_builder.editor_values(question) | survey_builder.editor_condition(question, questions)
        earlier = [each for each in questions if question is None or each["position"] < question["position"]]
        return self.pages.form_page(
            request,
            "console_question.html",
            data,
            problems,
            survey=survey,
            question=question,
            kind=kind,
            settings=survey_builder.KIND_SETTINGS[kind],
            earlier=earlier,
            values=values or {"required": False},
        )

    async def show_new_question(self, request: Request) -> Response:
        kind = request.query_params.get("art", "")
        if kind not in survey_builder.KINDS:
            raise PageFailure(404, "Diese Fragenart gibt es nicht.")
        return await self.editor(request, kind)

    async def show_question(self, request: Request) -> Response:
        return await self.editor(request, "")

    async def save_question(self, request: Request) -> Response:
        form = await checked_form(request, self.pages.config)
        _, survey = await self.managed(request)
        questions = survey["questions"]
        drafts = [survey_builder.from_api(question) for question in questions]
        position = request.path_params.get("position")
        index = len(drafts) if position is None else int(position)
        if index > len(drafts) or (position is not None and index == len(drafts)):
            raise PageFailure(404, "Diese Frage gibt es nicht (mehr).")
        kind = text(form, "kind") if position is None else questions[index]["kind"]
        if kind not in survey_builder.KINDS:
            raise PageFailure(400, "Diese Fragenart gibt es nicht.")
        own_id = None if position is None else questions[index]["id"]
        read = survey_builder.question_from_form(kind, form, questions[:index], own_id)
        if read.draft is None:
            return await self.editor(request, kind, read.values, read.problems)
        drafts[index : index + 1] = [read.draft]
        problems = await self.save_questions(request, drafts)
        if problems:
            mine = [survey_builder.for_question(problem, index) or problem for problem in problems]
            return await self.editor(request, kind, read.values, mine)
        return self.pages.redirect(
            request, f"/konsole/umfragen/{survey['id']}#fragen", flash="Die Frage ist gespeichert."
        )

    async def rearrange(self, request: Request) -> Response:
        form = await checked_form(request, self.pages.config)
        _, survey = await self.managed(request)
        drafts = [survey_builder.from_api(question) for question in survey["questions"]]
        index = int(request.path_params["position"])
        if not 0 <= index < len(drafts):
            raise PageFailure(404, "Diese Frage gibt es nicht (mehr).")
        action = text(form, "aktion")
        if action == "loeschen":
            removed = drafts.pop(index)
            dependent = [draft for draft in drafts if draft.condition and draft.condition["questionId"] == removed.id]
            if dependent:
                return await self.builder(
                    request,
                    [
                        Problem(
                            "Eine andere Frage wird nur nach dieser gestellt. Ändern Sie zuerst deren Bedingung.",
                            None,
                            None,
                        )
                    ],
                )
            flash = "Die Frage ist gelöscht."
        else:
            other = index - 1 if action == "hoch" else index + 1
            if not 0 <= other < len(drafts):
                raise PageFailure(400, "Diese Frage lässt sich nicht weiter verschieben.")
            drafts[index], drafts[other] = drafts[other], drafts[index]
            flash = "Die Reihenfolge ist geändert."
        problems = await self.save_questions(request, drafts)
        if problems:
            return await self.builder(request, problems)
        return self.pages.redirect(request, f"/konsole/umfragen/{survey['id']}#fragen", flash=flash)

    async def preview(self, request: Request) -> Response:
        data, survey = await self.managed(request)
        return self.pages.render(
            request, "console_survey_preview.html", data, survey=survey, by_id=by_id(survey), values={}, problems=[]
        )

    async def results(self, request: Request) -> Response:
        data, survey = await self.managed(request)
        return self.pages.render(
            request, "console_survey_results.html", data, survey=survey, charts=self.charts(request, survey)
        )

    async def download(self, request: Request) -> Response:
        _, survey = await self.managed(request)
        result = await self.pages.api.query(request, "survey_csv", {"id": survey["id"]})
        content = result.data["survey"]["responsesCsv"] or ""
        return Response(
            content.encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="umfrage-antworten.csv"',
                "Cache-Control": "no-store",
            },
        )

    def routes(self) -> list[Route]:
        return [
            Route("/konsole/umfragen", self.town_list, methods=["GET"]),
            Route("/konsole/umfragen/neu", self.show_new, methods=["GET"]),
            Route("/konsole/umfragen/neu", self.create, methods=["POST"]),
            Route("/konsole/umfragen/{id}", self.show_builder, methods=["GET"]),
            Route("/konsole/umfragen/{id}/einstellungen", self.update, methods=["POST"]),
            Route("/konsole/umfragen/{id}/status", self.change_status, methods=["POST"]),
            Route("/konsole/umfragen/{id}/fragen/neu", self.show_new_question, methods=["GET"]),
            Route("/konsole/umfragen/{id}/fragen/neu", self.save_question, methods=["POST"]),
            Route("/konsole/umfragen/{id}/fragen/{position:int}", self.show_question, methods=["GET"]),
            Route("/konsole/umfragen/{id}/fragen/{position:int}", self.save_question, methods=["POST"]),
            Route("/konsole/umfragen/{id}/fragen/{position:int}/ordnen", self.rearrange, methods=["POST"]),
            Route("/konsole/umfragen/{id}/vorschau", self.preview, methods=["GET"]),
            Route("/konsole/umfragen/{id}/ergebnisse", self.results, methods=["GET"]),
            Route("/konsole/umfragen/{id}/antworten.csv", self.download, methods=["GET"]),
            Route("/konsole/{slug}/umfragen", self.town_surveys, methods=["GET"]),
        ]


def routes(pages: Pages) -> list[Route]:
    return Console(pages).routes()
