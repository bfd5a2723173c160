"""A report as the administration prints it: PDF pages of tables and a chart (matplotlib).

Russian headings always (the report is filed, not chatted). A4 portrait pages: the report by
marks as a table, a chart of quality and success per subject, for a class the report by
pupils with the «с одной 4 / с одной 3» names the school works on, and for a teacher's analysis
the journal keeping (:mod:`core.reports.keeping`) with the pupils short of marks. Fonts are
embedded as TrueType (``pdf.fonttype`` 42) so the text can be searched and copied, Cyrillic included
(DejaVu Sans ships with matplotlib). Pure and synchronous: call it off the event loop.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from decimal import Decimal

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from core.reports.by_marks import MarksReport
from core.reports.by_pupils import PupilsReport
from core.reports.keeping import KeepingReport

A4 = (8.27, 11.69)  # inches
_SOURCES = {
    "attestation": "по отметкам за период",
    "averages": "по текущим средним баллам (отметок за период ещё нет)",
    "mixed": "по отметкам за период, где они есть, иначе по средним",
    "none": "нет данных",
}
_N_RULES = {
    "marked": "N — аттестованные по отметкам",
    "marked+na": "N — аттестованные и не аттестованные (н/а)",
    "marked+exempt": "N — аттестованные и освобождённые",
    "marked+na+exempt": "N — аттестованные, н/а и освобождённые",
}
_SOU_RULES = {"7_on_1": "вес 7 у отметки «1»", "7_on_na": "вес 7 у «н/а»"}
MARKS_HEADINGS = (
    "Предмет",
    "N",
    "5",
    "4",
    "3",
    "2",
    "н/а",
    "осв",
    "Качество, %",
    "Успев., %",
    "СОУ, %",
    "Ср. балл",
)


def report_pdf(
    title: str,
    marks: MarksReport,
    pupils: PupilsReport | None = None,
    *,
    keeping: KeepingReport | None = None,
) -> bytes:
    """The PDF of a report: ``title`` on every page (e.g. «7А · 2 четверть 2026/2027»); a
    teacher's analysis adds the page «Ведение журнала» (``keeping``)."""
    out = io.BytesIO()
    with (
        matplotlib.rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}),
        PdfPages(out) as pdf,
    ):
        pdf.savefig(_marks_page(title, marks))
        if marks.subjects:
            pdf.savefig(_chart_page(title, marks))
        if pupils is not None:
            pdf.savefig(_pupils_page(title, pupils))
        for page in _keeping_pages(title, keeping) if keeping is not None else ():
            pdf.savefig(page)
        info = pdf.infodict()
        info["Title"] = title
    return out.getvalue()


def _number(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def _page(title: str, heading: str) -> Figure:
    figure = Figure(figsize=A4)
    figure.text(0.5, 0.965, title, ha="center", va="top", fontsize=14, weight="bold")
    figure.text(0.5, 0.935, heading, ha="center", va="top", fontsize=11)
    return figure


def _table(
    figure: Figure, top: float, rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> float:
    """A table under ``top`` (a fraction of the page) as tall as its rows need; its bottom."""
    height = min(top - 0.05, 0.028 * (len(rows) + 1))
    axes = figure.add_axes((0.04, top - height, 0.92, height))
    axes.axis("off")
    table = axes.table(
        cellText=[list(r) for r in rows[1:]] or [["—"] * len(rows[0])],
        colLabels=list(rows[0]),
        colWidths=list(widths),
        cellLoc="center",
        loc="upper center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (row, column), cell in table.get_celld().items():
        if column == 0 and row > 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.02
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eeeeee")
    return top - height


def _marks_page(title: str, report: MarksReport) -> Figure:
    figure = _page(title, "Отчёт по предметам")
    figure.text(
        0.04,
        0.905,
        f"Расчёт: {_SOURCES.get(report.source, report.source)}. "
        f"{_N_RULES.get(report.n_rule, report.n_rule)}; "
        f"СОУ: {_SOU_RULES.get(report.sou_rule, report.sou_rule)}.",
        fontsize=8,
    )
    rows: list[Sequence[str]] = [MARKS_HEADINGS]
    for row in report.subjects:
        c = row.counts
        rows.append(
            (
                row.subject,
                str(row.n),
                str(c.five),
                str(c.four),
                str(c.three),
                str(c.two),
                str(c.not_attested),
                str(c.exempt),
                _number(row.quality),
                _number(row.success),
                _number(row.sou),
                _number(row.average),
            )
        )
    widths = (0.25, *([0.04] * 7), 0.1, 0.1, 0.085, 0.09)
    _table(figure, 0.89, rows, widths)
    return figure


def _chart_page(title: str, report: MarksReport) -> Figure:
    figure = _page(title, "Качество и успеваемость по предметам, %")
    # Bars of one height whatever the number of subjects: a class of 5 subjects or 20.
    height = min(0.82, 0.045 * len(report.subjects) + 0.06)
    axes = figure.add_axes((0.32, 0.9 - height, 0.62, height))
    names = [row.subject for row in report.subjects][::-1]
    quality = [float(row.quality or 0) for row in report.subjects][::-1]
    success = [float(row.success or 0) for row in report.subjects][::-1]
    places = range(len(names))
    axes.barh([p + 0.2 for p in places], success, height=0.4, color="#9ecae1", label="Успеваемость")
    axes.barh([p - 0.2 for p in places], quality, height=0.4, color="#3182bd", label="Качество")
    axes.set_yticks(list(places), names, fontsize=8)
    axes.set_xlim(0, 100)
    axes.grid(axis="x", color="#dddddd")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=8)
    return figure


def _pupils_page(title: str, report: PupilsReport) -> Figure:
    figure = _page(title, "Отчёт по обучающимся")
    rows: list[Sequence[str]] = [
        ("Показатель", "Число"),
        ("Обучающихся", str(report.pupils)),
        ("Отличники", str(len(report.excellent))),
        ("Хорошисты", str(len(report.good))),
        ("   из них с одной 4", str(len(report.good_one_four))),
        ("Троечники", str(len(report.satisfactory))),
        ("   из них с одной 3", str(len(report.satisfactory_one_three))),
        ("Неуспевающие", str(len(report.failing))),
        ("Не аттестованы", str(len(report.not_attested))),
        ("   из них по болезни", str(len(report.not_attested_ill))),
        ("Качество, %", _number(report.quality)),
        ("Успеваемость, %", _number(report.success)),
    ]
    bottom = _table(figure, 0.9, rows, (0.6, 0.2))
    lines = []
    for label, pupils in (
        ("С одной 4", report.good_one_four),
        ("С одной 3", report.satisfactory_one_three),
        ("Неуспевающие", report.failing),
    ):
        if pupils:
            lines.append(f"{label}: " + ", ".join(p.name for p in pupils))
    figure.text(0.06, bottom - 0.03, "\n".join(lines), fontsize=9, va="top", wrap=True)
    return figure


KEEPING_HEADINGS = (
    "Класс",
    "Предмет",
    "Уроков",
    "С темой",
    "С темой,\n%",
    "Учени-\nков",
    "Отметок",
    "На ученика\nв месяц",
    "Дней до\nотм. (мед.)",
    "Дней до\nотм. (макс.)",
    "Меньше 3\nотметок",
)
_KEEPING_WIDTHS = (0.05, 0.2, 0.06, 0.065, 0.065, 0.06, 0.065, 0.085, 0.09, 0.09, 0.09)


_BOTTOM = 0.05  # the lowest a line of names may reach, a fraction of the page
_NAME_LINE = 0.0135  # a 7.5 pt line's height on A4 (with matplotlib's spacing)


def _keeping_pages(title: str, report: KeepingReport) -> list[Figure]:
    figure = _page(title, "Ведение журнала")
    figure.text(
        0.04,
        0.905,
        f"На {report.on:%d.%m.%Y}. Отметок на ученика в месяц: месяц — 30,44 дня. "
        "Дни от урока до отметки — по отметкам, выставленным в боте.",
        fontsize=8,
    )
    cells = [
        [
            row.class_name,
            row.subject,
            str(row.lessons),
            str(row.with_topic),
            _number(row.topic_share),
            str(row.pupils),
            str(row.marks),
            _number(row.marks_per_pupil_month),
            _number(row.days_median),
            "—" if row.days_max is None else str(row.days_max),
            str(len(row.few_marks)),
        ]
        for row in report.rows
    ] or [["—"] * len(KEEPING_HEADINGS)]
    step = 0.022  # a row's height, a fraction of the page
    height = min(0.84, step * (len(cells) + 2))
    axes = figure.add_axes((0.04, 0.89 - height, 0.92, height))
    axes.axis("off")
    table = axes.table(
        cellText=cells,
        colLabels=list(KEEPING_HEADINGS),
        colWidths=list(_KEEPING_WIDTHS),
        cellLoc="center",
        bbox=Bbox.from_bounds(0, 0, 1, 1),
    )
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    rows = len(cells) + 2  # the heading takes two rows' height
    for (row, column), cell in table.get_celld().items():
        cell.set_height((2 if row == 0 else 1) / rows)
        if column in (0, 1) and row > 0:
            cell.set_text_props(ha="left")
            cell.PAD = 0.03
        if row == 0:
            cell.set_text_props(weight="bold")
            cell.set_facecolor("#eeeeee")
    lines = [
        line
        for row in report.rows
        if row.few_marks
        for line in textwrap.wrap(
            f"{row.class_name}, {row.subject} — меньше {report.minimum_marks} отметок: "
            + ", ".join(p.name for p in row.few_marks),
            width=120,
        )
    ]
    # The names run on to further pages rather than off the bottom of this one.
    top = 0.89 - height - 0.02
    fits = max(0, int((top - _BOTTOM) / _NAME_LINE))
    figure.text(0.05, top, "\n".join(lines[:fits]), fontsize=7.5, va="top")
    pages = [figure]
    per_page = int((0.89 - _BOTTOM) / _NAME_LINE)
    for start in range(fits, len(lines), per_page):
        more = _page(title, "Ведение журнала (продолжение)")
        more.text(0.05, 0.89, "\n".join(lines[start : start + per_page]), fontsize=7.5, va="top")
        pages.append(more)
    return pages
