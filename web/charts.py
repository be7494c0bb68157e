"""Server-rendered SVG charts: horizontal bars, one per value, with the numbers in `data-value` attributes (tests
read those, not pixels) and a title and description as the text alternative. Pages show the same numbers in a
table below each chart, so the chart never carries information alone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from web.survey_format import local_day, number_text

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
ROW = 30
BAR = 20
LABEL_CHARACTERS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(key: str, title: str, bars: Sequence[Bar]) -> Markup:
    """One bar per entry, longest bar the largest value; the description lists every label with its value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(bars), 1) * ROW
    description = "; ".join(f"{bar.label}: {number_text(bar.value)}" for bar in bars)
    rows = []
    for number, bar in enumerate(bars):
        top = number * ROW
        length = round(room * bar.value / largest, 1)
        rows.append(
            f'<g class="chart-row"><text x="{LABEL_WIDTH - 8}" y="{top + BAR - 5}" text-anchor="end">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{top}" width="{length}" height="{BAR}" '
            f'data-label="{escape(bar.label)}" data-value="{number_text(bar.value, 6)}"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{top + BAR - 5}">{number_text(bar.value)}</text></g>'
        )
    return Markup(  # noqa: S704 - every value put into it above is escaped or a number
        f'<svg class="chart" id="diagramm-{escape(key)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="diagramm-{escape(key)}-titel diagramm-{escape(key)}-text" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="diagramm-{escape(key)}-titel">{escape(title)}</title>'
        f'<desc id="diagramm-{escape(key)}-text">{escape(description)}</desc>'
        f"{''.join(rows)}</svg>"
    )


def _question_bars(question: Mapping[str, Any], result: Mapping[str, Any], other: str) -> list[Bar] | None:
    kind = question["kind"]
    if kind in ("SINGLE_CHOICE", "MULTIPLE_CHOICE"):
        bars = [Bar(option["label"], option["count"]) for option in result["options"]]
        if question["allowOther"]:
            bars.append(Bar(other, result["otherCount"] or 0))
        return bars
    if kind in ("SCALE", "NUMBER"):
        return [Bar(number_text(entry["value"]), entry["count"]) for entry in result["distribution"]]
    if kind == "RANKING":
        return [Bar(score["label"], score["score"]) for score in result["rankScores"]]
    return None


def survey_charts(
    questions: Sequence[Mapping[str, Any]], results: Mapping[str, Any] | None, _: Callable[[str], str]
) -> dict[str, Markup]:
    """A chart per question that has one (free text has none), and `tage` for the responses per day."""
    if not results:
        return {}
    by_question = {result["questionId"]: result for result in results["questions"]}
    titles = {
        "SINGLE_CHOICE": _("Antworten je Antwortmöglichkeit"),
        "MULTIPLE_CHOICE": _("Antworten je Antwortmöglichkeit"),
        "SCALE": _("Verteilung der Antworten"),
        "NUMBER": _("Verteilung der Antworten"),
        "RANKING": _("Borda-Punkte je Eintrag (Platz 1 bringt die meisten Punkte)"),
    }
    charts = {}
    for question in questions:
        result = by_question.get(question["id"])
        bars = _question_bars(question, result, _("Andere Antwort")) if result else None
        if bars:
            title = f"{question['position'] + 1}. {question['prompt']}: {titles[question['kind']]}"
            charts[question["id"]] = bar_chart(f"frage-{question['position']}", title, bars)
    days = [Bar(local_day(day["day"]), day["count"]) for day in results["responsesByDay"]]
    if days:
        charts["tage"] = bar_chart("tage", _("Teilnahmen je Tag"), days)
    return charts
