"""The participation report in the console: a town's figures for its staff and admins, the region's for region
staff and admins, per field of action and period, as charts over time and tables; each figure of ideas leads to
the ideas it counts. The API decides who reads what; its refusal is what others see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.api import PageFailure, Problem
from web.charts import Series, column_chart
from web.forms import checked_form
from web.i18n import label, negotiate, translator
from web.pages.console import TownIds, area_query
from web.rendering import Pages

REGION = "region"
TIME_ZONE = ZoneInfo("Europe/Berlin")  # the calendar of the tallies
REGION_FILES = "suedwestfalen"
PERIODS = ("WEEK", "MONTH", "QUARTER", "YEAR")
# How many periods a report shows when no dates are given.
SHOWN = {"WEEK": 12, "MONTH": 12, "QUARTER": 8, "YEAR": 3}
METRICS = (
    "IDEAS_SUBMITTED",
    "IDEAS_PUBLISHED",
    "IDEAS_ACCEPTED",
    "IDEAS_IMPLEMENTED",
    "SUPPORTS",
    "COMMENTS",
    "SURVEY_RESPONSES",
    "VOLUNTEER_SIGN_UPS",
    "VOLUNTEER_HOURS",
    "PARTICIPANTS",
)
CHARTED = ("IDEAS_SUBMITTED", "SUPPORTS", "SURVEY_RESPONSES", "VOLUNTEER_HOURS", "PARTICIPANTS")
IDEA_METRICS = frozenset(METRICS[:6])


def period_start(period: str, day: date) -> date:
    """The first day of the period that contains `day` (weeks from Monday), as the API counts periods."""
    if period == "WEEK":
        return day - timedelta(days=day.weekday())
    if period == "MONTH":
        return day.replace(day=1)
    if period == "QUARTER":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def next_start(period: str, start: date) -> date:
    if period == "WEEK":
        return start + timedelta(days=7)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[period]
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def earlier_start(period: str, start: date, count: int) -> date:
    """The start of the period `count` periods before the one starting on `start`."""
    if period == "WEEK":
        return start - timedelta(days=7 * count)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[period] * count
    month = start.year * 12 + start.month - 1 - months
    return date(month // 12, month % 12 + 1, 1)


def period_label(period: str, start: date) -> str:
    if period == "WEEK":
        year, week, _ = start.isocalendar()
        return f"KW {week}/{year}"
    if period == "MONTH":
        return f"{start.month:02d}/{start.year}"
    if period == "QUARTER":
        return f"Q{(start.month - 1) // 3 + 1}/{start.year}"
    return str(start.year)


@dataclass(frozen=True)
class Choice:
    """What the reader asked for: period, dates, field of action; with the problems of what could not be read."""

    period: str
    from_date: date
    to_date: date
    area: str | None
    problems: list[Problem]

    @classmethod
    def of(cls, query: Mapping[str, str], today: date) -> Choice:
        period = query.get("zeitraum", "MONTH")
        problems = []
        if period not in PERIODS:
            problems.append(Problem("Bitte einen Zeitraum aus der Liste wählen.", "INVALID_INPUT", "zeitraum"))
            period = "MONTH"
        dates = {}
        for name, default in (
            ("von", earlier_start(period, period_start(period, today), SHOWN[period] - 1)),
            ("bis", today),
        ):
            given = query.get(name, "")
            try:
                dates[name] = date.fromisoformat(given) if given else default
            except ValueError:
                problems.append(Problem("Bitte ein Datum wie 2026-01-31 angeben.", "INVALID_INPUT", name))
                dates[name] = default
        if dates["von"] > dates["bis"]:
            problems.append(Problem("Der Beginn muss vor dem Ende liegen.", "INVALID_INPUT", "von"))
        elif (dates["bis"] - dates["von"]).days > 3 * 366:
            problems.append(Problem("Ein Bericht umfasst höchstens drei Jahre.", "INVALID_INPUT", "bis"))
        if problems:
            dates = {"von": earlier_start(period, period_start(period, today), SHOWN[period] - 1), "bis": today}
        return cls(period, dates["von"], dates["bis"], query.get("handlungsfeld") or None, problems)

    def starts(self) -> list[date]:
        start, starts = period_start(self.period, self.from_date), []
        while start <= self.to_date:
            starts.append(start)
            start = next_start(self.period, start)
        return starts


def table(report: dict[str, Any], choice: Choice) -> dict[str, dict[str, float]]:
    """The figures of the chosen field of action (or of all fields) by period start and metric."""
    cells: dict[str, dict[str, float]] = {start.isoformat(): {} for start in choice.starts()}
    for figure in report["figures"]:
        area = (figure["strategyArea"] or {}).get("id")
        if area == choice.area and figure["periodStart"] in cells:
            cells[figure["periodStart"]][figure["metric"]] = figure["value"]
    return cells


def routes(pages: Pages) -> list[Route]:
    town_id = TownIds(pages)

    def base(request: Request) -> str:
        return f"/konsole/{request.path_params.get('slug', REGION)}/bericht"

    async def scope(request: Request) -> dict[str, Any]:
        """Whose report: the town of the path (its slug and id), or the region."""
        slug = request.path_params.get("slug", REGION)
        region = slug == REGION
        return {"slug": slug, "region": region, "town": None if region else await town_id(request)}

    async def report(request: Request) -> Response:
        whose = await scope(request)
        slug, region = whose["slug"], whose["region"]
        choice = Choice.of(request.query_params, datetime.now(TIME_ZONE).date())
        area = None if region else choice.area
        result = await area_query(
            pages,
            request,
            "bericht",
            "participation_report",
            {
                **whose,
                "from": choice.from_date.isoformat(),
                "to": choice.to_date.isoformat(),
                "period": choice.period,
                "area": area,
            },
        )
        _ = translator(negotiate(request))
        cells = table(result.data["participationReport"], Choice(**{**choice.__dict__, "area": area}))
        labels = [period_label(choice.period, date.fromisoformat(start)) for start in cells]
        charts = [
            column_chart(
                metric.lower(),
                _(label("ParticipationMetric", metric)),
                labels,
                [Series(_(label("ParticipationMetric", metric)), [row.get(metric, 0) for row in cells.values()])],
            )
            for metric in CHARTED
        ]
        return pages.render(
            request,
            "console/report.html",
            result.data,
            status=400 if choice.problems else 200,
            problems=choice.problems,
            choice=choice,
            area=area,
            region=region,
            slug=slug,
            base=base(request),
            files=REGION_FILES if region else slug,
            periods=PERIODS,
            metrics=METRICS,
            idea_metrics=IDEA_METRICS,
            cells=cells,
            labels=dict(zip(cells, labels, strict=True)),
            charts=zip(CHARTED, charts, strict=True),
            query=lambda **more: urlencode({k: v for k, v in more.items() if v}),
        )

    async def ideas(request: Request) -> Response:
        whose = await scope(request)
        region = whose["region"]
        query = request.query_params
        metric, period = query.get("kennzahl", ""), query.get("zeitraum", "")
        try:
            start = date.fromisoformat(query.get("beginn", ""))
        except ValueError:
            raise PageFailure(404, "Diese Zahl gibt es nicht.") from None
        if metric not in IDEA_METRICS or period not in PERIODS:
            raise PageFailure(404, "Diese Zahl gibt es nicht.")
        area = None if region else query.get("handlungsfeld") or None
        result = await area_query(
            pages,
            request,
            "bericht",
            "participation_ideas",
            {
                **whose,
                "from": start.isoformat(),
                "period": period,
                "area": area,
                "after": query.get("nach") or None,
            },
        )
        figure = next(
            (
                one
                for one in result.data["participationReport"]["figures"]
                if one["metric"] == metric and (one["strategyArea"] or {}).get("id") == area
            ),
            None,
        )
        return pages.render(
            request,
            "console/report_ideas.html",
            result.data,
            figure=figure,
            metric=metric,
            period=period,
            period_name=period_label(period, period_start(period, start)),
            region=region,
            base=base(request),
            this=f"{base(request)}/ideen?"
            + urlencode(
                {
                    k: v
                    for k, v in (
                        ("kennzahl", metric),
                        ("zeitraum", period),
                        ("beginn", start.isoformat()),
                        ("handlungsfeld", area),
                    )
                    if v
                }
            ),
        )

    async def recompute(request: Request) -> Response:
        await checked_form(request, pages.config)
        result = await pages.api.mutate(request, "recompute_tallies")
        result.raise_if_refused()
        return pages.redirect(
            request,
            base(request),
            flash="Die Zahlen werden neu berechnet. Laden Sie die Seite in einer Minute neu.",
        )

    return [
        Route("/konsole/region/bericht", report, methods=["GET"]),
        Route("/konsole/region/bericht", recompute, methods=["POST"]),
        Route("/konsole/region/bericht/ideen", ideas, methods=["GET"]),
        Route("/konsole/{slug}/bericht", report, methods=["GET"]),
        Route("/konsole/{slug}/bericht", recompute, methods=["POST"]),
        Route("/konsole/{slug}/bericht/ideen", ideas, methods=["GET"]),
    ]
