"""The diary (``/marks``): a week of marks per subject, averages, and one subject in full."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.linking.dto import ChildRef
from core.services.diary import Diary, DiaryMark, DiarySubject
from handlers.callbacks import MarksSubject, MarksTerm, MarksWeek
from handlers.views.formatting import average, child_line, day_month, esc
from handlers.views.limits import paged
from handlers.views.window import window_lines

# Subjects per keyboard row: two names fit a phone's width.
_SUBJECTS_PER_ROW = 2


def _marks_line(marks: tuple[DiaryMark, ...]) -> str:
    # Control works in bold: they weigh more, and families look for them first.
    return " ".join(f"<b>{esc(m.value)}</b>" if m.is_control else esc(m.value) for m in marks)


def _subject_line(subject: DiarySubject) -> str:
    marks = _marks_line(subject.marks) or "—"
    suggested = f" → {subject.suggested_mark}" if subject.suggested_mark is not None else ""
    average_text = _("avg. {average}").format(average=average(subject.average))
    return f"{esc(subject.subject)}: {marks} · {average_text}{suggested}"


def _term_note(diary: Diary) -> str:
    if diary.term is None:
        return _("averages over these days")
    return _("averages over {term}").format(term=esc(diary.term.name))


def week_view(child: ChildRef, diary: Diary, page: int = 0) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("<b>Marks: {child}</b>").format(child=child_line(child)),
        f"{day_month(diary.start)} – {day_month(diary.end)} · {_term_note(diary)}",
        *window_lines(diary.limit),
        "",
    ]
    if not diary.subjects:
        lines.append(_("No marks yet."))
    lines.extend(_subject_line(subject) for subject in diary.subjects)
    shown = MarksWeek(child=child.student_id, monday=diary.start.toordinal(), page=page)
    text, nav = paged(lines, page, shown)
    keyboard = _week_keyboard(child.student_id, diary)
    return text, InlineKeyboardMarkup(inline_keyboard=nav + keyboard.inline_keyboard)


def _week_keyboard(student_id: int, diary: Diary) -> InlineKeyboardMarkup:
    monday = diary.start
    rows = [
        [
            InlineKeyboardButton(
                text=_("◀ Previous week"),
                callback_data=MarksWeek(
                    child=student_id, monday=(monday - timedelta(days=7)).toordinal()
                ).pack(),
            ),
            InlineKeyboardButton(
                text=_("Next week ▶"),
                callback_data=MarksWeek(
                    child=student_id, monday=(monday + timedelta(days=7)).toordinal()
                ).pack(),
            ),
        ]
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("📅 Whole term"),
                callback_data=MarksTerm(child=student_id, day=diary.end.toordinal()).pack(),
            )
        ]
    )
    buttons = [
        InlineKeyboardButton(
            text=subject.subject[:32],
            callback_data=MarksSubject(
                child=student_id, subject=subject.subject_id, day=diary.end.toordinal()
            ).pack(),
        )
        for subject in diary.subjects
    ]
    rows += [buttons[i : i + _SUBJECTS_PER_ROW] for i in range(0, len(buttons), _SUBJECTS_PER_ROW)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def subject_view(
    child: ChildRef, diary: Diary, back_monday: date, shown: MarksSubject | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    subject = diary.subjects[0] if diary.subjects else None
    title = esc(subject.subject) if subject else _("this subject")
    lines = [
        _("<b>{subject}: {child}</b>").format(subject=title, child=child_line(child)),
        _term_note(diary),
        "",
    ]
    term = diary.term
    marks = [m for m in subject.marks if term is None or term.contains(m.date)] if subject else []
    for mark in marks:
        weight = _("weight {weight}").format(weight=mark.weight.normalize())
        details = [mark.work_type or _("mark"), weight]
        if mark.teacher:
            details.append(mark.teacher)
        line = f"{day_month(mark.date)}: <b>{esc(mark.value)}</b> ({esc(', '.join(details))})"
        if mark.comment:
            line += f"\n    <i>{esc(mark.comment)}</i>"
        lines.append(line)
    if not marks:
        lines.append(_("No marks yet."))
    elif subject is not None and subject.average is not None:
        suggested = f" → {subject.suggested_mark}" if subject.suggested_mark is not None else ""
        lines.append("")
        lines.append(_("Average: {average}").format(average=average(subject.average)) + suggested)
    back = InlineKeyboardButton(
        text=_("◀ Back to the week"),
        callback_data=MarksWeek(child=child.student_id, monday=back_monday.toordinal()).pack(),
    )
    if shown is None:
        subject_id = subject.subject_id if subject else 0
        shown = MarksSubject(child=child.student_id, subject=subject_id, day=diary.end.toordinal())
    text, nav = paged(lines, shown.page, shown)
    return text, InlineKeyboardMarkup(inline_keyboard=[*nav, [back]])


def term_view(child: ChildRef, diary: Diary, shown: MarksTerm) -> tuple[str, InlineKeyboardMarkup]:
    term = diary.term
    title = esc(term.name) if term else f"{day_month(diary.start)} – {day_month(diary.end)}"
    lines = [
        _("<b>Marks: {child}</b>").format(child=child_line(child)),
        title,
        *window_lines(diary.limit),
        "",
    ]
    if not diary.subjects:
        lines.append(_("No marks yet."))
    lines.extend(_subject_line(subject) for subject in diary.subjects)
    day = diary.end.toordinal()
    row = [
        InlineKeyboardButton(
            text=_("◀ Previous term"),
            callback_data=MarksTerm(child=child.student_id, day=day, step=-1).pack(),
        ),
        InlineKeyboardButton(
            text=_("Next term ▶"),
            callback_data=MarksTerm(child=child.student_id, day=day, step=1).pack(),
        ),
    ]
    back = InlineKeyboardButton(
        text=_("◀ Back to the week"),
        callback_data=MarksWeek(
            child=child.student_id,
            monday=(diary.end - timedelta(days=diary.end.weekday())).toordinal(),
        ).pack(),
    )
    text, nav = paged(lines, shown.page, shown)
    return text, InlineKeyboardMarkup(inline_keyboard=[*nav, row, [back]])
