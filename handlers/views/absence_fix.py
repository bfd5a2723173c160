"""What a teacher sees when fixing a lesson's absences: the list, the choices, the outcome.

The buttons carry an attendance id and a choice only; the handler judges the id again on every
press (core.teaching.absences), so a forged or stale button changes nothing.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.models.enums import AttendanceCode
from core.teaching.absences import LessonAbsence
from core.teaching.dto import LessonSheet
from handlers.views.formatting import esc
from handlers.views.timetable import weekday_and_date

PRESENT = "p"
# A choice in a button → the code it sets (None: present, the absence removed).
CHOICES: dict[str, AttendanceCode | None] = {
    PRESENT: None,
    "n": AttendanceCode.ABSENT,
    "op": AttendanceCode.LATE,
}
_BADGE = {AttendanceCode.ABSENT: "Н", AttendanceCode.LATE: "ОП"}


class AbsenceFix(CallbackData, prefix="af1"):
    """An absence ``a`` of a lesson; ``v`` empty shows the choices, else one of CHOICES."""

    a: int
    v: str = ""


def badge(code: AttendanceCode | None) -> str:
    """Н or ОП as the roll-call writes them; a class teacher's reason (Б, У) shows as Н."""
    if code is None:
        return "✅"
    return _BADGE.get(code, "Н")


def _short(name: str) -> str:
    surname, _space, given = name.partition(" ")
    return f"{surname} {given[:1]}." if given else surname


def _lesson(sheet: LessonSheet) -> str:
    who = f"{sheet.class_name} · {sheet.group}" if sheet.group else sheet.class_name
    return _("{subject} · {who}, lesson {period}").format(
        subject=esc(sheet.subject), who=esc(who), period=sheet.slot.period
    )


def absence_list(
    sheet: LessonSheet, absences: tuple[LessonAbsence, ...]
) -> tuple[str, InlineKeyboardMarkup | None]:
    head = "<b>" + _("Fix absences: {lesson}").format(lesson=_lesson(sheet)) + "</b>"
    lines = [head, weekday_and_date(sheet.slot.day)]
    if not absences:
        lines.append(_("Nobody is marked absent or late at this lesson."))
        return "\n".join(lines), None
    lines.append(_("Tap a pupil to correct the mark; the reason is asked next."))
    buttons = [
        InlineKeyboardButton(
            text=f"{badge(a.code)} {a.number}. {esc(_short(a.name))}",
            callback_data=AbsenceFix(a=a.attendance_id).pack(),
        )
        for a in absences
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def choices(absence: LessonAbsence) -> tuple[str, InlineKeyboardMarkup]:
    current = badge(absence.code)
    labels = {PRESENT: _("✅ Was present"), "n": "Н", "op": "ОП"}
    buttons = [
        InlineKeyboardButton(
            text=label, callback_data=AbsenceFix(a=absence.attendance_id, v=choice).pack()
        )
        for choice, label in labels.items()
        if badge(CHOICES[choice]) != current
    ]
    text = _("Correct {name}: {code} → ?").format(name=esc(absence.name), code=current)
    return text, InlineKeyboardMarkup(inline_keyboard=[buttons])


def ask_reason() -> str:
    return _(
        "Why is it corrected? Write the reason in a few words (it is kept in the journal's audit)."
    )


def bad_reason(limit: int) -> str:
    return _("Give the reason in one line of up to {limit} characters.").format(limit=limit)


def corrected(name: str, before: AttendanceCode, after: AttendanceCode | None) -> str:
    if after is None:
        return _("Corrected: {name} was present ({code} removed).").format(
            name=esc(name), code=badge(before)
        )
    if badge(after) == badge(before):
        return _("Nothing to change: {name} is already {code}.").format(
            name=esc(name), code=badge(after)
        )
    return _("Corrected: {name}, {before} → {after}.").format(
        name=esc(name), before=badge(before), after=badge(after)
    )


def stale() -> str:
    return _(
        "This absence is no longer in the journal or not yours to correct: open /lesson again."
    )
