"""The class teacher's summary of their class."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.services.class_summary import ClassSummary, SubjectFigures
from handlers.labels import ATTENDANCE_LETTERS
from handlers.views.formatting import average, esc
from handlers.views.limits import fit
from handlers.views.timetable import weekday_and_date


def _figures(figures: tuple[SubjectFigures, ...]) -> list[str]:
    return [
        f"• {esc(f.subject)}: "
        + ngettext("{n} mark", "{n} marks", f.marks).format(n=f.marks)
        + ", "
        + _("avg. {average}").format(average=average(f.average))
        for f in figures
    ]


def summary_view(summary: ClassSummary) -> str:
    lines = [
        _("<b>{name}: class summary</b>").format(name=esc(summary.class_name)),
        weekday_and_date(summary.on),
        ngettext("{n} student", "{n} students", summary.students).format(n=summary.students),
        "",
        _("<b>Absent or late today</b>"),
    ]
    for entry in summary.absent:
        when = (
            _("lesson {period}").format(period=entry.period)
            if entry.period is not None
            else _("the whole day")
        )
        lines.append(f"• {esc(entry.name)}: {when}, {_(ATTENDANCE_LETTERS[entry.code])}")
    if not summary.absent:
        lines.append(_("Everyone is present."))
    lines += ["", _("<b>Marks this week</b>")]
    lines += _figures(summary.week) or [_("No marks yet.")]
    if summary.term is not None:
        lines += ["", _("<b>Averages over {term}</b>").format(term=esc(summary.term.name))]
        lines += _figures(summary.term_averages) or [_("No marks yet.")]
    return fit(lines)
