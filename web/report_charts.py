"""Charts as SVG drawn on the server: no chart library, nothing to load. Each chart is an image with a text
alternative (`role="img"`, a `<title>` and a `<desc>` it is labelled by) and each data point carries its number in
`data-value`, so a test reads numbers, not pixels. A page always shows the same numbers in a table as well.

A function per chart shape, each taking the labels of the x axis and the series drawn over them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 280
LEFT = 56  # room for the y axis' numbers
RIGHT = 16
TOP = 16
BOTTOM = 56  # room for the x axis' labels
TICKS = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def number(value: float) -> str:
    """A number as German readers write it: no trailing `.0`, a decimal comma."""
    if float(value).is_integer():
        return f"{int(value):d}"
    return f"{value:.1f}".replace(".", ",")


def _scale_top(largest: float) -> float:
    """A round top for the y axis at or above the largest value (1, 2, 2.5, 5 times a power of ten)."""
    if largest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(largest))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= largest:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _frame(chart_id: str, title: str, *, description: str, labels: Sequence[str], top: float, body: str) -> Markup:
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-titel {escape(chart_id)}-beschreibung" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-titel">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-beschreibung">{escape(description)}</desc>',
    ]
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = TOP + plot_height - plot_height * tick / TICKS
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{number(value)}</text>'
        )
    slot = plot_width / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / 12))  # at most twelve labels fit under the axis
    for index, text in enumerate(labels):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        parts.append(
            f'<text class="chart-axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    parts.append(
        f'<line class="chart-axis-line" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_height}" '
        f'y2="{TOP + plot_height}"/>'
    )
    parts.append(body)
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _describe(labels: Sequence[str], series: Sequence[Series]) -> str:
    return "; ".join(
        f"{one.name}: " + ", ".join(f"{label} {number(value)}" for label, value in zip(labels, one.values, strict=True))
        for one in series
    )


def bar_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """Bars side by side per label, one colour per series (`chart-series-1`, …)."""
    top = _scale_top(max((value for one in series for value in one.values), default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    body = []
    for number_of_series, one in enumerate(series, start=1):
        for index, value in enumerate(one.values):
            height = plot_height * value / top
            x = LEFT + slot * index + slot * 0.1 + bar * (number_of_series - 1)
            body.append(
                f'<rect class="chart-series-{number_of_series}" x="{x:.1f}" y="{TOP + plot_height - height:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" data-series="{escape(one.name)}" '
                f'data-label="{escape(labels[index])}" data-value="{value:g}"/>'
            )
    return _frame(chart_id, title, description=_describe(labels, series), labels=labels, top=top, body="".join(body))


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """A line per series with a dot at each label (`chart-series-1`, …)."""
    top = _scale_top(max((value for one in series for value in one.values), default=0))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(labels), 1)
    body = []
    for number_of_series, one in enumerate(series, start=1):
        points = [
            (LEFT + slot * (index + 0.5), TOP + plot_height - plot_height * value / top)
            for index, value in enumerate(one.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="chart-line chart-series-{number_of_series}" points="{path}"/>')
        for index, ((x, y), value) in enumerate(zip(points, one.values, strict=True)):
            body.append(
                f'<circle class="chart-series-{number_of_series}" cx="{x:.1f}" cy="{y:.1f}" r="4" '
                f'data-series="{escape(one.name)}" data-label="{escape(labels[index])}" data-value="{value:g}"/>'
            )
    return _frame(chart_id, title, description=_describe(labels, series), labels=labels, top=top, body="".join(body))
