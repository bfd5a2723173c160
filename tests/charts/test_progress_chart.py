"""core.charts.progress: a PNG a phone can show, for one subject and for a dozen."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from core.charts.progress import (
    DPI,
    HEADER_INCHES,
    PANEL_HEIGHT_INCHES,
    ChartTexts,
    render_progress,
)
from core.grading import DEFAULT_THRESHOLDS
from core.models import TermKind
from core.services.progress import Progress, SubjectProgress, WeekPoint
from core.services.school_data import TermInfo

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TERM = TermInfo(2, TermKind.QUARTER, 2, "2 четверть", date(2026, 11, 9), date(2026, 12, 27))
WEEKS = tuple(date(2026, 11, 9) + timedelta(days=7 * n) for n in range(7))
TEXTS = ChartTexts("Анна Иванова, 7А · 2 четверть", "Анна", "Класс")
SUBJECTS = (
    "Алгебра",
    "Английский язык",
    "Биология",
    "География",
    "Геометрия",
    "Изобразительное искусство",
    "Информатика",
    "История России. Всеобщая история",
    "Литература",
    "Основы безопасности и защиты Родины",
    "Русский язык",
    "Физика",
    "Физическая культура",
)


def _points(seed: int, weeks: int = 7) -> tuple[WeekPoint, ...]:
    rng = np.random.default_rng(seed)
    values = np.clip(3.6 + np.cumsum(rng.normal(0, 0.3, weeks)), 2, 5)
    return tuple(
        WeekPoint(WEEKS[n], Decimal(str(round(float(v), 2)))) for n, v in enumerate(values)
    )


def _progress(count: int, *, with_class: bool) -> Progress:
    subjects = tuple(
        SubjectProgress(
            n,
            name,
            _points(n)[n % 3 :],  # some subjects start later in the term
            _points(100 + n) if with_class else (),
            4,
        )
        for n, name in enumerate(SUBJECTS[:count])
    )
    return Progress(1, TERM, WEEKS, DEFAULT_THRESHOLDS, subjects)


def _pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize(("count", "with_class"), [(1, False), (13, True), (13, False)])
def test_the_chart_is_a_phone_wide_png_with_something_drawn(count: int, with_class: bool) -> None:
    png = render_progress(_progress(count, with_class=with_class), TEXTS, "ru")
    target = os.environ.get("JOURNAL_CHART_DIR")
    if target:  # JOURNAL_CHART_DIR=/tmp pytest … writes the PNGs to look at them
        Path(target, f"progress-{count}-{with_class}.png").write_bytes(png)
    assert png.startswith(PNG_SIGNATURE)
    pixels = _pixels(png)
    height, width = pixels.shape[:2]
    assert width == 1080
    rows = 1 if count == 1 else -(-count // 2)  # two panels a row, one for a single subject
    assert height == round((HEADER_INCHES + PANEL_HEIGHT_INCHES * rows) * DPI)
    # Not blank: the child's blue line and some dark text are there.
    rgb = pixels[..., :3]
    blue = (rgb[..., 2] > 0.6) & (rgb[..., 0] < 0.3)
    assert blue.sum() > 200
    assert (rgb.max(axis=-1) < 0.3).sum() > 1000


def _grey(png: bytes) -> int:
    rgb = _pixels(png)[..., :3]
    return int(((abs(rgb[..., 0] - 0.62) < 0.02) & (abs(rgb[..., 2] - 0.62) < 0.02)).sum())


def test_the_class_line_is_drawn_only_when_the_school_shows_it() -> None:
    without = render_progress(_progress(4, with_class=False), TEXTS, "ru")
    with_class = render_progress(_progress(4, with_class=True), TEXTS, "ru")
    assert _grey(with_class) > 3 * _grey(without) + 500


def test_the_english_chart_renders_too() -> None:
    png = render_progress(_progress(2, with_class=False), TEXTS, "en")
    assert _pixels(png).shape[1] == 1080


def test_nothing_to_draw_is_refused() -> None:
    empty = Progress(1, TERM, WEEKS, DEFAULT_THRESHOLDS, ())
    with pytest.raises(ValueError, match="nothing to draw"):
        render_progress(empty, TEXTS, "ru")
