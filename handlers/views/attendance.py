"""Attendance of a student over the current term: each absence or late arrival, and totals.

Absence reasons are health data: the view never shows the school's comment, only the code.
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.linking.dto import ChildRef
from core.services.attendance import AttendanceReport
from core.services.school_data import TermInfo
from handlers.labels import ATTENDANCE_LABELS, ATTENDANCE_LETTERS
from handlers.views.formatting import child_line, day_month, esc
from handlers.views.window import window_lines


def attendance_view(child: ChildRef, report: AttendanceReport, term: TermInfo | None) -> str:
    period = f"{day_month(report.start)} – {day_month(report.end)}"
    lines = [
        _("<b>Attendance: {child}</b>").format(child=child_line(child)),
        f"{esc(term.name)}: {period}" if term else period,
        *window_lines(report.limit),
        "",
    ]
    for entry in report.entries:
        when = (
            _("{day}, lesson {period}").format(day=day_month(entry.date), period=entry.period)
            if entry.period is not None
            else _("{day}, the whole day").format(day=day_month(entry.date))
        )
        subject = f" ({esc(entry.subject)})" if entry.subject else ""
        letter = _(ATTENDANCE_LETTERS[entry.code])
        lines.append(f"{when}{subject}: <b>{letter}</b> — {_(ATTENDANCE_LABELS[entry.code])}")
    if not report.entries:
        lines.append(_("No absences and no late arrivals."))
    totals = report.totals
    missed = totals.absent + totals.ill + totals.excused
    lines += [
        "",
        ngettext("Missed {n} lesson", "Missed {n} lessons", missed).format(n=missed)
        + _(" (without a reason {absent}, ill {ill}, for a valid reason {excused})").format(
            absent=totals.absent, ill=totals.ill, excused=totals.excused
        ),
        ngettext(
            "{n} day with absences", "{n} days with absences", totals.days_with_absence
        ).format(n=totals.days_with_absence),
        ngettext("Late {n} time", "Late {n} times", totals.late).format(n=totals.late),
    ]
    return "\n".join(lines)  # long answers are paged by the handler
