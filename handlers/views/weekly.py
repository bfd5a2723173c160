"""The weekly summary pushed to a family on Sunday evening: each child's marks, averages, absences.

Per subject the week's marks and the term average, with ▲ or ▼ and the previous Sunday's value
when it moved. Attendance as counts only: absence reasons are health data and never reach a
push (the DTO carries none).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from core.notify.weekly import WeeklyChild, WeeklySubject
from handlers.views.formatting import average, day_month, esc
from handlers.views.limits import fit

TREND_ARROWS = {1: "▲", -1: "▼"}


def _week(child: WeeklyChild) -> str:
    return f"{day_month(child.week_start)} – {day_month(child.week_end)}"


def _subject_line(subject: WeeklySubject) -> str:
    parts = [esc(subject.subject) + ":"]
    if subject.marks:
        parts.append(" ".join(esc(mark) for mark in subject.marks))
    if subject.average is not None:
        parts.append("· " + _("avg. {average}").format(average=average(subject.average)))
    arrow = TREND_ARROWS.get(subject.trend)
    if arrow is not None:
        was = _("(was {average})").format(average=average(subject.previous_average))
        parts.append(f"{arrow} {was}")
    return " ".join(parts)


def _attendance_lines(child: WeeklyChild) -> list[str]:
    if not child.lessons_missed and not child.late:
        return [_("No absences and no late arrivals.")]
    lines = []
    if child.lessons_missed:
        missed = ngettext("Missed {n} lesson", "Missed {n} lessons", child.lessons_missed).format(
            n=child.lessons_missed
        )
        if child.missed_unexcused:
            missed = _("{missed}, of them without a valid reason: {n}").format(
                missed=missed, n=child.missed_unexcused
            )
        lines.append(missed)
    if child.late:
        lines.append(ngettext("Late {n} time", "Late {n} times", child.late).format(n=child.late))
    return lines


def weekly_view(children: Sequence[WeeklyChild]) -> str:
    """One message for a family: every child's week, cut to Telegram's limit if need be."""
    title = "<b>{}</b>".format(_("Weekly summary"))
    week = _week(children[0]) if children else None
    lines = [f"{title} · {week}" if week else title]
    for child in children:
        name = f"<b>{esc(child.first_name)}</b>"
        lines += ["", name if _week(child) == week else f"{name} · {_week(child)}"]
        if not child.subjects:
            lines.append(_("No marks this week."))
        lines.extend(_subject_line(subject) for subject in child.subjects)
        lines.extend(_attendance_lines(child))
    more = _("… the rest does not fit into one message; /marks and /attendance show it all.")
    return fit(lines, more)
