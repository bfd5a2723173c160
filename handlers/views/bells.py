"""The bell schedule of a class on a day, with the breaks between lessons."""

from __future__ import annotations

from datetime import time

from aiogram.utils.i18n import gettext as _

from core.services.bells import ClassBells
from handlers.views.formatting import esc
from handlers.views.timetable import weekday_and_date


def bells_view(bells: ClassBells) -> str:
    lines = [
        _("<b>Bells: {name}, shift {shift}</b>").format(
            name=esc(bells.class_name), shift=bells.shift
        ),
        "",
    ]
    if bells.by_day:  # other days ring otherwise: say which day this is
        lines.insert(1, weekday_and_date(bells.day))
    previous = None
    for bell in bells.periods:
        minutes = _minutes(bell.starts_at) - _minutes(previous) if previous is not None else -1
        if minutes >= 0:  # rows of different schedules may overlap: no break to tell then
            lines.append("    " + _("break {minutes} min").format(minutes=minutes))
        lines.append(f"{bell.period}. {bell.starts_at:%H:%M}–{bell.ends_at:%H:%M}")
        previous = bell.ends_at
    if not bells.periods:
        lines.append(_("The school has not published its bells."))
    return "\n".join(lines)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute
