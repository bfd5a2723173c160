"""The line that says a read was limited to the reader's window (a pupil's transfer).

A class teacher reads a transferred pupil's data only for the pupil's days in their class or
group (:mod:`core.access.windows`); the answer says so, so a short list is not taken for the
whole. Families and the administration read whole spans and never see it.
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from core.access.windows import Clamp
from handlers.views.formatting import day_month


def window_lines(limit: Clamp | None) -> list[str]:
    """One italic line when ``limit`` left days out, else none."""
    if limit is None or limit.empty or not limit.limited:
        return []
    (asked_start, asked_end), windows = limit.requested, limit.windows
    if len(windows) == 1 and windows[0][1] == asked_end:
        text = _("Only from {day}, since the pupil joined your class or group.").format(
            day=day_month(windows[0][0])
        )
    elif len(windows) == 1 and windows[0][0] == asked_start:
        text = _("Only up to {day}, since the pupil then left your class or group.").format(
            day=day_month(windows[0][1])
        )
    else:
        days = ", ".join(f"{day_month(low)} – {day_month(high)}" for low, high in windows)
        text = _("Only the pupil's days in your class or group: {days}.").format(days=days)
    return [f"<i>{text}</i>"]
