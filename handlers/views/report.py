"""``/report``: the pickers (period → form → class or grade) and a compact table that fits a
phone: per subject N, quality %, success %, СОУ and the average in a ``<pre>`` block, then the
class's pupils by category with the «с одной 4 / с одной 3» names, and a button for the XLSX.
"""

from __future__ import annotations

from decimal import Decimal

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from core.reports.by_marks import MarksReport
from core.reports.by_pupils import PupilsReport
from core.reports.period import PeriodKind, ReportPeriod
from core.reports.roster import Pupil
from core.reports.scope import ReportChoices
from handlers.views.formatting import current_locale, esc
from handlers.views.limits import fit

FORM_CLASS, FORM_PARALLEL = "c", "p"
XLSX = "x"
_NAME_WIDTH = 9
_PER_ROW = 4


class ReportPick(CallbackData, prefix="rp1"):
    """A step of the pickers: period ``per`` (t: this term, y: the year), form ``form`` (c: a
    class, p: a parallel), the class id or grade ``id``, ``act`` x: the XLSX. A wish only:
    the core checks the reader again on every press."""

    per: str = ""
    form: str = ""
    id: int = 0
    act: str = ""


def _button(text: str, pick: ReportPick) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=pick.pack())


def refusal() -> str:
    return _("Reports are for the school's administration and class teachers.")


def periods() -> tuple[str, InlineKeyboardMarkup]:
    keyboard = [
        [
            _button(_("This term"), ReportPick(per="t")),
            _button(_("The year"), ReportPick(per="y")),
        ]
    ]
    return _("<b>Report</b>: for which period?"), InlineKeyboardMarkup(inline_keyboard=keyboard)


def forms(period: str, choices: ReportChoices) -> tuple[str, InlineKeyboardMarkup]:
    row = [_button(_("A class"), ReportPick(per=period, form=FORM_CLASS))]
    if choices.grades:
        row.append(_button(_("A parallel"), ReportPick(per=period, form=FORM_PARALLEL)))
    return _("<b>Report</b>: a class or a parallel?"), InlineKeyboardMarkup(inline_keyboard=[row])


def targets(period: str, form: str, choices: ReportChoices) -> tuple[str, InlineKeyboardMarkup]:
    if form == FORM_PARALLEL:
        buttons = [
            _button(_("Grade {grade}").format(grade=g), ReportPick(per=period, form=form, id=g))
            for g in choices.grades
        ]
        question = _("<b>Report</b>: which parallel?")
    else:
        buttons = [
            _button(name, ReportPick(per=period, form=form, id=class_id))
            for class_id, name in choices.classes
        ]
        question = _("<b>Report</b>: which class?")
    rows = [buttons[i : i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)]
    return question, InlineKeyboardMarkup(inline_keyboard=rows)


def xlsx_button(pick: ReportPick) -> InlineKeyboardMarkup:
    data = ReportPick(per=pick.per, form=pick.form, id=pick.id, act=XLSX)
    return InlineKeyboardMarkup(inline_keyboard=[[_button(_("📄 XLSX"), data)]])


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, "0.##", locale=current_locale())


def _period(period: ReportPeriod) -> str:
    if period.kind == PeriodKind.YEAR:
        return _("the year")
    return _("term {number}").format(number=period.term_number)


def _sources(source: str) -> str:
    return {
        "attestation": _("on term or year marks"),
        "averages": _("on the averages of the period's marks"),
        "mixed": _("on term marks where given, else on averages"),
    }.get(source, _("no marks yet"))


def _table(report: MarksReport) -> str:
    """Short monospace lines (35 characters): subject, N, quality %, success %, СОУ, average."""
    # Column headings: quality %, success %, СОУ, average; short enough for a phone.
    quality, success, sou, avg = _("Q%"), _("S%"), _("SOU"), _("Avg")
    head = _("Subject")[:_NAME_WIDTH].ljust(_NAME_WIDTH)
    lines = [f"{head}{'N':>3}{quality:>6}{success:>6}{sou:>6}{avg:>5}"]
    for row in report.subjects:
        name = row.subject
        if len(name) > _NAME_WIDTH:
            name = name[: _NAME_WIDTH - 1].rstrip() + "…"
        lines.append(
            f"{name.ljust(_NAME_WIDTH)}{row.n:>3}{_number(row.quality):>6}"
            f"{_number(row.success):>6}{_number(row.sou):>6}{_number(row.average):>5}"
        )
    if not report.subjects:
        lines.append(_("No marks yet."))
    return "<pre>" + esc("\n".join(lines)) + "</pre>"


def _names(pupils: tuple[Pupil, ...]) -> str:
    return esc(", ".join(p.name for p in pupils)) if pupils else "—"


def class_view(marks: MarksReport, pupils: PupilsReport) -> str:
    lines = [
        _("<b>{name}</b>, {period}").format(
            name=esc(pupils.class_name), period=_period(marks.period)
        ),
        _("Computed {source}.").format(source=_sources(marks.source)),
        _table(marks),
        _("<b>Pupils: {n}</b>").format(n=pupils.pupils),
        _("Excellent (only 5): {n}").format(n=len(pupils.excellent)),
        _("Good (4 and 5): {n}").format(n=len(pupils.good)),
        "  " + _("with one 4: {names}").format(names=_names(pupils.good_one_four)),
        _("Satisfactory (a 3): {n}").format(n=len(pupils.satisfactory)),
        "  " + _("with one 3: {names}").format(names=_names(pupils.satisfactory_one_three)),
        _("Failing: {n}").format(n=len(pupils.failing)),
        _("Not attested: {n}").format(n=len(pupils.not_attested)),
        _("Quality {quality} %, success {success} %").format(
            quality=_number(pupils.quality), success=_number(pupils.success)
        ),
    ]
    return fit(lines)


def parallel_view(grade: int, marks: MarksReport) -> str:
    lines = [
        _("<b>Grade {grade}, all classes</b>, {period}").format(
            grade=grade, period=_period(marks.period)
        ),
        _("Computed {source}.").format(source=_sources(marks.source)),
        _table(marks),
    ]
    return fit(lines)


def file_caption() -> str:
    return _("The report as a workbook: by subjects, by pupils, attendance.")
