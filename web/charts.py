"""Charts as SVG drawn on the server: no chart library, nothing to load. Each chart is an image with a text
alternative (`role="img"`, a `<title>` and a `<desc>` it is labelled by) and each bar or point carries its number
in `data-value` (and its label in `data-label`, its series in `data-series`), so a test reads numbers, not pixels.
A page always shows the same numbers in a table as well.

Three shapes: `bar_chart` (horizontal bars, one per label: a survey's answers), `column_chart` and `line_chart`
(series over the labels of an x axis: the participation report's periods)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from web.survey_format import local_day, number_text

WIDTH = 640
# Horizontal bars: room for the labels on the left and the numbers after each bar.
LABEL_WIDTH = 220
VALUE_WIDTH = 70
ROW = 30
BAR = 20
LABEL_CHARACTERS = 30
# Series over an x axis.
HEIGHT = 280
LEFT = 56  # room for the y axis' numbers
RIGHT = 16
TOP = 16
BOTTOM = 56  # room for the x axis' labels
TICKS = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _data(label: str, value: float, series: str | None = None) -> str:
    """A bar's or point's data attributes: its number as a program reads it (`1.5`), its label, its series."""
    named = f'data-series="{escape(series)}" ' if series is not None else ""
    plain = f"{value:.6f}".rstrip("0").rstrip(".")
    return f'{named}data-label="{escape(label)}" data-value="{plain}"'


def _image(key: str, title: str, description: str, height: float, body: str) -> Markup:
    """The chart `diagramm-<key>` as an image labelled by its title and its description (which lists the numbers)."""
    chart_id = f"diagramm-{escape(key)}"
    return Markup(  # noqa: S704 - every text put into it is escaped, the body by its maker
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-titel {chart_id}-text" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-titel">{escape(title)}</title>'
        f'<desc id="{chart_id}-text">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(key: str, title: str, bars: Sequence[Bar]) -> Markup:
    """One horizontal bar per entry, longest bar the largest value; the description lists every label with its
    value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for number, bar in enumerate(bars):
        top = number * ROW
        length = round(room * bar.value / largest, 1)
        rows.append(
            f'<g class="chart-row"><text x="{LABEL_WIDTH - 8}" y="{top + BAR - 5}" text-anchor="end">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{top}" width="{length}" height="{BAR}" '
            f"{_data(bar.label, bar.value)}></rect>"
            f'<text x="{LABEL_WIDTH + length + 6}" y="{top + BAR - 5}">{number_text(bar.value)}</text></g>'
        )
    description = "; ".join(f"{bar.label}: {number_text(bar.value)}" for bar in bars)
    return _image(key, title, description, max(len(bars), 1) * ROW, "".join(rows))


def _scale_top(largest: float) -> float:
    """A round top for the y axis at or above the largest value (1, 2, 2.5, 5 times a power of ten)."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= largest:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _over_axis(key: str, title: str, labels: Sequence[str], series: Sequence[Series], draw: _Draw) -> Markup:
    """Series over the labels of an x axis: the grid, the axes' numbers and labels, and what `draw` puts in the plot
    (given the plot's geometry)."""
    top = _scale_top(max((value for one in series for value in one.values), default=0))
    plot = _Plot(top, (WIDTH - LEFT - RIGHT) / max(len(labels), 1), HEIGHT - TOP - BOTTOM)
    parts = []
    for tick in range(TICKS + 1):
        y = TOP + plot.height - plot.height * tick / TICKS
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{number_text(top * tick / TICKS)}</text>"
        )
    every = max(1, math.ceil(len(labels) / 12))  # at most twelve labels fit under the axis
    for index, text in enumerate(labels):
        if index % every == 0:
            parts.append(
                f'<text class="chart-axis" x="{LEFT + plot.slot * (index + 0.5):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                f'text-anchor="middle">{escape(text)}</text>'
            )
    parts.append(
        f'<line class="chart-axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot.height}" '
        f'y2="{TOP + plot.height}"/>'
    )
    for number_of_series, one in enumerate(series, start=1):
        parts.append(draw(plot, number_of_series, one, labels))
    description = "; ".join(
        f"{one.name}: "
        + ", ".join(f"{label} {number_text(value)}" for label, value in zip(labels, one.values, strict=True))
        for one in series
    )
    return _image(key, title, description, HEIGHT, "".join(parts))


@dataclass(frozen=True)
class _Plot:
    top: float  # the value at the top of the y axis
    slot: float  # the width each label has on the x axis
    height: float

    def y(self, value: float) -> float:
        return TOP + self.height - self.height * value / self.top


_Draw = Callable[[_Plot, int, Series, Sequence[str]], str]


def column_chart(key: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """Columns side by side per label, one colour per series (`chart-series-1`, …)."""

    def draw(plot: _Plot, number: int, one: Series, labels: Sequence[str]) -> str:
        width = plot.slot * 0.8 / max(len(series), 1)
        return "".join(
            f'<rect class="chart-series-{number}" x="{LEFT + plot.slot * (index + 0.1) + width * (number - 1):.1f}" '
            f'y="{plot.y(value):.1f}" width="{width:.1f}" height="{plot.height * value / plot.top:.1f}" '
            f"{_data(labels[index], value, one.name)}/>"
            for index, value in enumerate(one.values)
        )

    return _over_axis(key, title, labels, series, draw)


def line_chart(key: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """A line per series with a dot at each label (`chart-series-1`, …)."""

    def draw(plot: _Plot, number: int, one: Series, labels: Sequence[str]) -> str:
        points = [(LEFT + plot.slot * (index + 0.5), plot.y(value)) for index, value in enumerate(one.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dots = "".join(
            f'<circle class="chart-series-{number}" cx="{x:.1f}" cy="{y:.1f}" r="4" '
            f"{_data(labels[index], value, one.name)}/>"
            for index, ((x, y), value) in enumerate(zip(points, one.values, strict=True))
        )
        return f'<polyline class="chart-line chart-series-{number}" points="{path}"/>{dots}'

    return _over_axis(key, title, labels, series, draw)


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
