"""Charts drawn on the server as SVG: the geometry of a daily hits-and-kudos chart.

No JavaScript and nothing from elsewhere: this module turns the figures into coordinates, and
`community/stats_chart.html` draws them (hits as bars, kudos as a line, both on one axis), with a
title, a description, axis labels and a legend for screen readers and for eyes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from ficarchive.community.stats import DayFigures

WIDTH = 720
HEIGHT = 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 36, 48  # margins around the plot: axes, labels, legend
Y_TICKS = 4
X_LABELS = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class DailyChart:
    title: str
    description: str
    width: int
    height: int
    left: int
    top: int
    right: float
    bottom: float
    bars: list[Bar]
    dots: list[Dot]
    line: str  # the kudos polyline's points
    y_ticks: list[Tick]
    x_ticks: list[Tick]

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2

    @property
    def y_middle(self) -> float:
        return (self.top + self.bottom) / 2


def tick_step(peak: int, ticks: int = Y_TICKS) -> int:
    """The smallest 1, 2 or 5 times a power of 10 step whose `ticks` steps reach the peak."""
    raw = max(1, math.ceil(peak / ticks))
    magnitude = 10 ** (len(str(raw)) - 1)
    return int(next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw))


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def describe(days: list[DayFigures], subject: str) -> str:
    if not days:
        return f"No days to show for {subject}."
    hits = sum(day.hits for day in days)
    kudos = sum(day.kudos for day in days)
    text = (
        f"Hits and kudos per day on {subject} from {_day(days[0].day)} to "
        f"{_day(days[-1].day)} {days[-1].day.year}: {_plural(hits, 'hit')} and "
        f"{kudos:,} kudos in all."
    )
    if hits:
        best = max(days, key=lambda day: (day.hits, day.day))
        text += f" Most hits on {_day(best.day)}: {best.hits:,}."
    return text


def daily_chart(days: list[DayFigures], subject: str) -> DailyChart:
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    plot_width, plot_height = right - LEFT, bottom - TOP
    step = tick_step(max([day.hits for day in days] + [day.kudos for day in days] + [0]))
    top_value = step * Y_TICKS

    def y_of(value: int) -> float:
        return round(bottom - plot_height * value / top_value, 2)

    slot = plot_width / max(1, len(days))
    bar_width = round(max(1.0, slot * 0.7), 2)
    bars, dots, points = [], [], []
    for index, day in enumerate(days):
        centre = LEFT + slot * (index + 0.5)
        if day.hits:
            y = y_of(day.hits)
            bars.append(
                Bar(
                    round(centre - bar_width / 2, 2),
                    y,
                    bar_width,
                    round(bottom - y, 2),
                    f"{_day(day.day)}: {_plural(day.hits, 'hit')}",
                )
            )
        y = y_of(day.kudos)
        points.append(f"{round(centre, 2)},{y}")
        if day.kudos:
            dots.append(Dot(round(centre, 2), y, f"{_day(day.day)}: {day.kudos:,} kudos"))
    every = max(1, math.ceil(len(days) / X_LABELS))
    x_ticks = [
        Tick(round(LEFT + slot * (index + 0.5), 2), _day(day.day))
        for index, day in enumerate(days)
        if index % every == 0
    ]
    y_ticks = [Tick(y_of(step * n), f"{step * n:,}") for n in range(Y_TICKS + 1)]
    return DailyChart(
        title=f"Hits and kudos per day: {subject}",
        description=describe(days, subject),
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        top=TOP,
        right=right,
        bottom=bottom,
        bars=bars,
        dots=dots,
        line=" ".join(points),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
