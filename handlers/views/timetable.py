"""A day's timetable of a student: lessons with bells, rooms and teachers, changes marked."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from core.linking.dto import ChildRef
from core.models.enums import ChangeKind
from core.services.calendar import NextSchoolDay
from core.services.homework import HomeworkItem
from core.services.timetable import DayTimetable, TeacherDay
from core.services.timetable_lessons import TimetableLesson
from handlers.callbacks import TimetableDay
from handlers.views.formatting import child_line, current_locale, day_month, esc
from handlers.views.limits import fit


def weekday_and_date(day: date) -> str:
    return format_date(day, "EEEE, d MMMM", locale=current_locale())


def _bells(lesson: TimetableLesson) -> str:
    if lesson.starts_at is None:
        return ""
    end = f"–{lesson.ends_at:%H:%M}" if lesson.ends_at else ""
    return f" {lesson.starts_at:%H:%M}{end}"


def lesson_line(lesson: TimetableLesson, *, with_teacher: bool = True) -> str:
    """One lesson: bells, subject, group, room and teacher (left out of a teacher's own day,
    where every line would repeat her name), and what changed."""
    head = f"{lesson.period}.{_bells(lesson)} "
    if lesson.cancelled:
        if lesson.moved_to is not None:
            note = _("moved to {day}, lesson {period}").format(
                day=day_month(lesson.moved_to), period=lesson.moved_to_period
            )
        else:
            note = _("cancelled")
        return f"{head}<s>{esc(lesson.subject)}</s> — <b>{note}</b>"
    parts = [f"<b>{esc(lesson.subject)}</b>"]
    if lesson.group:
        parts.append(esc(lesson.group))
    if lesson.room:
        room = _("room {room}").format(room=esc(lesson.room))
        parts.append(f"<b>{room}</b>" if lesson.original_room else room)
    if lesson.teacher and with_teacher:
        parts.append(esc(lesson.teacher))
    line = head + " · ".join(parts)
    notes = []
    if lesson.change == ChangeKind.SUBSTITUTION:
        instead = lesson.original_subject or lesson.original_teacher
        notes.append(
            _("substitution, instead of {what}").format(what=esc(instead))
            if instead
            else _("substitution")
        )
    elif lesson.change == ChangeKind.ROOM_CHANGE and lesson.original_room:
        notes.append(_("room changed from {room}").format(room=esc(lesson.original_room)))
    elif lesson.change == ChangeKind.EXTRA:
        notes.append(_("extra lesson"))
    elif lesson.moved_from is not None:
        notes.append(
            _("moved from {day}, lesson {period}").format(
                day=day_month(lesson.moved_from), period=lesson.moved_from_period
            )
        )
    if notes:
        line += "\n    ⚠️ " + "; ".join(notes)
    return line


def day_view(child: ChildRef, day: DayTimetable, homework: tuple[HomeworkItem, ...] = ()) -> str:
    """One message, for a short answer; the handlers page :func:`day_lines` instead."""
    return fit(day_lines(child, day, homework))


def day_lines(
    child: ChildRef,
    day: DayTimetable,
    homework: tuple[HomeworkItem, ...] = (),
    *,
    homework_asked: bool = False,
) -> list[str]:
    """The day's lessons, and the homework due that day; ``homework_asked`` (a typed «что
    задали на завтра») says outright when nothing is due rather than showing lessons alone."""
    lines = [
        _("<b>Timetable: {child}</b>").format(child=child_line(child)),
        weekday_and_date(day.date),
        "",
    ]
    if not day.in_school:
        lines.append(_("Not a student of the school on this day."))
    elif day.holiday:
        lines.append(_("Holidays: {name}. No lessons.").format(name=esc(day.holiday)))
    elif not day.lessons:
        lines.append(_("No lessons."))
    else:
        lines.extend(lesson_line(lesson) for lesson in day.lessons)
    if homework:
        lines += ["", _("<b>Homework due:</b>")]
        for item in homework:
            mark = " " + _("(individual)") if item.individual else ""
            files = f" 📎{len(item.attachments)}" if item.attachments else ""
            lines.append(f"• <b>{esc(item.subject)}</b>{mark}: {esc(item.text)}{files}")
    elif homework_asked and day.in_school and day.lessons and not day.holiday:
        lines += ["", _("Nothing is set for this day.")]
    return lines


def day_off_note(following: NextSchoolDay) -> str:
    """Why "tomorrow" answers another day: «Завтра выходной (Осенние каникулы); следующий
    учебный день — понедельник, 9 ноября.» A weekend alone is not named."""
    day = weekday_and_date(following.day) if following.day else ""
    if following.holidays:
        return _("Tomorrow is a day off ({holidays}); the next school day is {day}.").format(
            holidays=esc(", ".join(following.holidays)), day=day
        )
    return _("Tomorrow is a day off; the next school day is {day}.").format(day=day)


def with_note(note: str | None, text: str) -> str:
    """``text`` under ``note`` (a day-off note), or ``text`` alone."""
    return f"{note}\n\n{text}" if note else text


def no_more_school_days(child: ChildRef) -> str:
    return _("{child}: no more school days this academic year.").format(child=child_line(child))


def presence(lessons: list[TimetableLesson], day: date) -> str:
    """The answer to «есть ли физика в среду»: yes with the periods, or no."""
    when = weekday_and_date(day)
    if not lessons:
        return _("No. {day}: no such lesson.").format(day=when)
    periods = ", ".join(str(lesson.period) for lesson in lessons)
    return _("Yes, on {day}: lesson {periods}.").format(day=when, periods=periods)


def teacher_day_view(day: TeacherDay) -> str:
    lines = [
        _("<b>Your lessons: {teacher}</b>").format(teacher=esc(day.teacher)),
        weekday_and_date(day.date),
        "",
    ]
    if not day.lessons:
        lines.append(_("No lessons."))
    for lesson in day.lessons:
        lines.append(f"{lesson_line(lesson, with_teacher=False)} · {esc(lesson.class_name)}")
    return "\n".join(lines)  # paged by the handler


def day_keyboard(
    student_id: int, day: date, nav: list[list[InlineKeyboardButton]] | None = None
) -> InlineKeyboardMarkup:
    """The day's arrows and "the whole week", under ``nav`` (the week's page buttons)."""

    def button(text: str, target: date, *, week: bool = False) -> InlineKeyboardButton:
        data = TimetableDay(child=student_id, day=target.toordinal(), week=week).pack()
        return InlineKeyboardButton(text=text, callback_data=data)

    return InlineKeyboardMarkup(
        inline_keyboard=[
            *(nav or []),
            [
                button(_("◀ Previous day"), day - timedelta(days=1)),
                button(_("Next day ▶"), day + timedelta(days=1)),
            ],
            [button(_("🗓 The whole week"), day, week=True)],
        ]
    )
