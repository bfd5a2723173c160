"""``/progress``: each subject's running average over the term's weeks, as a PNG for a phone.

Small multiples: one panel per subject, two to a row (one for a single subject), 1080 px wide
whatever the number of subjects, so ten or fifteen subjects stay legible where one crowded
plot with a legend would not. Every panel shares the y-axis 1-5 with the school's thresholds
(2.50 / 3.50 / 4.50 by default) as faint lines, so a family sees at a glance which side of a
threshold a subject is on; its title names the subject and its current average. The class
line, when the school shows it, is a faint grey line under the child's. The x-axis dates every
week up to four, else three short dates (the first week, the middle one, the last): no collisions;
``constrained_layout`` keeps titles and labels apart.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from core.services.progress import Progress, SubjectProgress, WeekPoint

WIDTH_INCHES = 7.2
DPI = 150  # 7.2 in × 150 = 1080 px, a phone screen's width
PANEL_HEIGHT_INCHES = 2.1
HEADER_INCHES = 0.7
_CHILD = "#1f77b4"
_CLASS = "#9e9e9e"
_THRESHOLD = "#bdbdbd"
_TITLE_WIDTH = 26  # characters per line of a panel's title
_ALL_TICKS = 4  # weeks up to which every week gets its date


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """What the chart says, already translated into the reader's language."""

    title: str  # e.g. "Анна Иванова, 7А · 2 четверть"
    child_line: str  # the legend's name for the child's line
    class_line: str  # the legend's name for the class's line


def render_progress(progress: Progress, texts: ChartTexts, locale: str) -> bytes:
    """PNG bytes of the chart; ``progress`` must have at least one subject."""
    if not progress.subjects or not progress.weeks:
        raise ValueError("nothing to draw: no subject has a numeric mark this term")
    count = len(progress.subjects)
    columns = 1 if count == 1 else 2
    rows = -(-count // columns)
    figure = Figure(
        figsize=(WIDTH_INCHES, HEADER_INCHES + PANEL_HEIGHT_INCHES * rows),
        dpi=DPI,
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    figure.suptitle(texts.title, fontsize=13, fontweight="bold")
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    with_class = any(s.class_points for s in progress.subjects)
    for index, subject in enumerate(progress.subjects):
        _panel(axes[index // columns][index % columns], subject, progress, texts, locale)
    for index in range(count, rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    if with_class:
        first = next(n for n, s in enumerate(progress.subjects) if s.class_points)
        lines = axes[first // columns][first % columns].get_lines()
        figure.legend(
            handles=sorted(
                (h for h in lines if not str(h.get_label()).startswith("_")),
                key=lambda h: h.get_label() != texts.child_line,
            ),
            loc="outside lower center",
            ncols=2,
            fontsize=10,
            frameon=False,
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _panel(
    axis: Axes, subject: SubjectProgress, progress: Progress, texts: ChartTexts, locale: str
) -> None:
    index = {week: n for n, week in enumerate(progress.weeks)}
    thresholds = progress.thresholds
    for level in (thresholds.three, thresholds.four, thresholds.five):
        axis.axhline(float(level), color=_THRESHOLD, linewidth=0.8, linestyle="--", zorder=1)
    if subject.class_points:
        axis.plot(
            *_xy(subject.class_points, index),
            color=_CLASS,
            linewidth=1.5,
            zorder=2,
            label=texts.class_line,
        )
    axis.plot(
        *_xy(subject.points, index),
        color=_CHILD,
        linewidth=2.2,
        marker="o",
        markersize=4,
        zorder=3,
        label=texts.child_line,
    )
    last = len(progress.weeks) - 1
    held = subject.points[-1]
    if held.week in index and index[held.week] < last:
        # No marks since: the average holds until today, dotted.
        axis.plot(
            [index[held.week], last],
            [float(held.average)] * 2,
            color=_CHILD,
            linewidth=1.2,
            linestyle=":",
            zorder=3,
        )
    axis.set_ylim(1, 5.3)
    axis.set_yticks([1, 2, 3, 4, 5])
    axis.set_xlim(-0.4, max(last, 1) + 0.4)
    # Every week while they fit (four short dates a panel), else the first, middle and last.
    ticks = list(range(last + 1)) if last < _ALL_TICKS else sorted({0, last // 2, last})
    axis.set_xticks(ticks)
    axis.set_xticklabels([format_date(progress.weeks[n], "d MMM", locale=locale) for n in ticks])
    axis.tick_params(labelsize=9, length=2)
    average = format_decimal(subject.average, "0.00", locale=locale)
    suffix = f"\u00a0→\u00a0{subject.suggested_mark}" if subject.suggested_mark is not None else ""
    name = textwrap.shorten(subject.subject, width=_TITLE_WIDTH * 2, placeholder="…")
    axis.set_title(
        "\n".join(textwrap.wrap(f"{name}: {average}{suffix}", _TITLE_WIDTH)),
        fontsize=11,
        loc="left",
    )
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def _xy(points: tuple[WeekPoint, ...], index: dict[date, int]) -> tuple[list[int], list[float]]:
    shown = [p for p in points if p.week in index]
    return [index[p.week] for p in shown], [float(p.average) for p in shown]
