"""The evening digest as the family reads it."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from core.notify.digest import DigestChild
from handlers.views.formatting import child_line, esc
from handlers.views.limits import fit
from handlers.views.timetable import lesson_line, weekday_and_date


def digest_view(children: Sequence[DigestChild]) -> str:
    lines = [_("🌙 <b>For tomorrow</b>, {day}").format(day=weekday_and_date(children[0].day))]
    for entry in children:
        lines += ["", f"<b>{child_line(entry.child)}</b>"]
        if entry.changes:
            lines.append(_("Timetable changes:"))
            lines.extend(lesson_line(lesson) for lesson in entry.changes)
        if entry.homework:
            lines.append(_("Homework due:"))
            for item in entry.homework:
                mark = " " + _("(individual)") if item.individual else ""
                lines.append(f"• <b>{esc(item.subject)}</b>{mark}: {esc(item.text)}")
    # A push is one message: past the limit it is cut, and says where the whole day is.
    return fit(lines, _("… the rest does not fit into one message; /tomorrow shows it all."))
