"""Geometry of the benchmark charts (inline SVG): a percentile chart per dimension and a
radar profile of all dimensions. Pure arithmetic on the 0–100 score scale; the
templates draw the shapes and write the text alternatives."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

SCALE_TICKS: Final = (0, 20, 40, 60, 80, 100)
"""Grid lines at the edges of the maturity bands."""


@dataclass(frozen=True)
class Distribution:
    """What a peer group may show (DESIGN §5), None where it is too small: the quartiles
    from 10 peers, P10 and P90 from 20, the mean from 5."""

    p10: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    mean: float | None = None


@dataclass(frozen=True)
class PercentileRow:
    """One dimension: the peer whiskers (P10–P90), box (P25–P75), median, the peers' mean and
    the own marker; None where the group may not show the figure, so nothing draws it."""

    top: float
    middle: float
    score_x: float | None
    p10_x: float | None = None
    p25_x: float | None = None
    p50_x: float | None = None
    p75_x: float | None = None
    p90_x: float | None = None
    mean_x: float | None = None

    @property
    def box_width(self) -> float:
        if self.p25_x is None or self.p75_x is None:
            return 0.0
        return max(self.p75_x - self.p25_x, 1.0)


@dataclass(frozen=True)
class PercentileChart:
    width: float
    height: float
    label_width: float
    plot_width: float
    row_height: float
    box_height: float
    ticks: list[tuple[float, int]]
    rows: list[PercentileRow]


def percentile_chart(
    rows: Sequence[tuple[float | None, Distribution | None]],
    *,
    label_width: float = 0.0,
    plot_width: float = 100.0,
    row_height: float = 40.0,
) -> PercentileChart:
    """Coordinates of one row per (score, peer distribution); a missing distribution draws
    only the marker, a missing score only the distribution; of a distribution only what
    it holds is drawn (the whiskers with P10 and P90, the box with the quartiles).

    By default x is a percentage of the plot's width: the result page draws each row at
    percentages, so its text is not scaled down with the drawing on a phone.

    Examples
    --------
    >>> chart = percentile_chart([(50.0, Distribution(10, 25, 50, 75, 90))], plot_width=100)
    >>> chart.rows[0].score_x - chart.label_width, chart.rows[0].p25_x - chart.label_width
    (50.0, 25.0)
    """

    def x(value: float) -> float:
        return round(label_width + plot_width * min(max(value, 0.0), 100.0) / 100.0, 2)

    def optional_x(value: float | None) -> float | None:
        return x(value) if value is not None else None

    chart_rows = []
    for index, (score, distribution) in enumerate(rows):
        top = index * row_height
        shown = distribution or Distribution()
        quartiles = None not in (shown.p25, shown.p50, shown.p75)
        tails = quartiles and None not in (shown.p10, shown.p90)
        chart_rows.append(
            PercentileRow(
                top=top,
                middle=top + row_height / 2,
                score_x=optional_x(score),
                p10_x=optional_x(shown.p10) if tails else None,
                p25_x=optional_x(shown.p25) if quartiles else None,
                p50_x=optional_x(shown.p50) if quartiles else None,
                p75_x=optional_x(shown.p75) if quartiles else None,
                p90_x=optional_x(shown.p90) if tails else None,
                mean_x=optional_x(shown.mean),
            )
        )
    return PercentileChart(
        width=label_width + plot_width + 30,
        height=len(rows) * row_height + 30,
        label_width=label_width,
        plot_width=plot_width,
        row_height=row_height,
        box_height=round(row_height * 0.45, 2),
        ticks=[(x(t), t) for t in SCALE_TICKS],
        rows=chart_rows,
    )


@dataclass(frozen=True)
class RadarAxis:
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    label_lines: list[tuple[float, str]]
    """The label, wrapped: (baseline y, text) per line, placed away from the chart."""


LABEL_LINE_CHARS: Final = 18
LABEL_LINE_HEIGHT: Final = 14.0


def wrap_label(label: str, width: int = LABEL_LINE_CHARS) -> list[str]:
    """A label as lines of at most ``width`` characters, broken between words (a longer
    word keeps its own line), so no part title is cut off.

    >>> wrap_label("Methods and ways of working")
    ['Methods and ways', 'of working']
    """
    return textwrap.wrap(label, width, break_long_words=False) or [""]


@dataclass(frozen=True)
class RadarChart:
    width: float
    height: float
    centre_x: float
    centre_y: float
    radius: float
    rings: list[str]
    axes: list[RadarAxis]
    own: str | None
    own_points: list[tuple[float, float]]
    median: str | None
    median_points: list[tuple[float, float]]


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{px:.2f},{py:.2f}" for px, py in points)


def radar_chart(
    scores: Sequence[float | None],
    medians: Sequence[float | None],
    *,
    labels: Sequence[str] | None = None,
    width: float = 600.0,
    radius: float = 140.0,
    label_room: float = 44.0,
) -> RadarChart:
    """A profile of n ≥ 3 dimensions: one axis per dimension, clockwise from the top,
    0 at the centre and 100 at the rim. A series with a gap is drawn as points only.
    ``label_room`` is the space above and below the rim for the axis labels; the
    labels at the sides use the rest of ``width``. Labels are wrapped
    (:func:`wrap_label`): a label above the chart grows upwards, one at a side is centred
    on its axis, one below grows downwards.

    Examples
    --------
    >>> chart = radar_chart([100, 50, 0], [50, 50, 50], width=200, radius=100, label_room=0)
    >>> chart.own_points[0], chart.median is not None
    ((100.0, 0.0), True)
    """
    if len(scores) != len(medians) or (labels is not None and len(labels) != len(scores)):
        raise ValueError("scores, medians and labels must have the same length")
    n = len(scores)
    if n < 3:
        raise ValueError("a radar chart needs at least three dimensions")
    centre_x = width / 2
    centre_y = radius + label_room

    def angle(i: int) -> float:
        return -math.pi / 2 + 2 * math.pi * i / n

    def point(value: float, i: int) -> tuple[float, float]:
        r = radius * min(max(value, 0.0), 100.0) / 100.0
        return (
            round(centre_x + r * math.cos(angle(i)), 2),
            round(centre_y + r * math.sin(angle(i)), 2),
        )

    def series(values: Sequence[float | None]) -> tuple[str | None, list[tuple[float, float]]]:
        points = [point(v, i) for i, v in enumerate(values) if v is not None]
        complete = all(v is not None for v in values)
        return (_points(points) if complete else None), points

    axes = []
    for i in range(n):
        end = point(100.0, i)
        cos, sin = math.cos(angle(i)), math.sin(angle(i))
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        label_r = radius + 10
        label_y = round(centre_y + label_r * sin + 4 + (8 if sin > 0.9 else 0), 2)
        lines = wrap_label(labels[i]) if labels is not None else []
        if sin < -0.5:  # above: the last line sits where a single line would
            first = label_y - (len(lines) - 1) * LABEL_LINE_HEIGHT
        elif sin > 0.5:  # below: the first line does
            first = label_y
        else:
            first = label_y - (len(lines) - 1) * LABEL_LINE_HEIGHT / 2
        axes.append(
            RadarAxis(
                x=end[0],
                y=end[1],
                label_x=round(centre_x + label_r * cos, 2),
                label_y=label_y,
                anchor=anchor,
                label_lines=[
                    (round(first + k * LABEL_LINE_HEIGHT, 2), line) for k, line in enumerate(lines)
                ],
            )
        )
    own, own_points = series(scores)
    median, median_points = series(medians)
    return RadarChart(
        width=width,
        height=2 * (radius + label_room),
        centre_x=centre_x,
        centre_y=centre_y,
        radius=radius,
        rings=[_points([point(level, i) for i in range(n)]) for level in SCALE_TICKS[1:]],
        axes=axes,
        own=own,
        own_points=own_points,
        median=median,
        median_points=median_points,
    )
