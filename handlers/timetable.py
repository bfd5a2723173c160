"""``/timetable`` (today) and ``/tomorrow`` (the next school day, with the homework due).

Every answer is paged, never cut: a page button builds the day again and checks access again
(a child's day with :class:`TimetableDay`, a staff member's own with :class:`StaffDayPage`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from core.access.policy import AccessDenied
from core.linking.dto import AccountView, ChildRef
from core.questions import Topic
from core.services.calendar import next_school_day_of, staff_next_day
from core.services.homework import homework_due
from core.services.timetable import (
    DayTimetable,
    student_days_ahead,
    student_timetable,
    teacher_timetable,
)
from handlers.attachments import send_attachments
from handlers.callbacks import AnswerPage, StaffDayPage, TimetableDay, day_of
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.menu import BUTTON_MY_LESSONS, BUTTON_TIMETABLE, BUTTON_TOMORROW
from handlers.paging import answer_paged, edit_paged
from handlers.views import timetable as views


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_today, Command("timetable"))
    r.message.register(on_today, F.text == BUTTON_TIMETABLE)
    r.message.register(on_tomorrow, Command("tomorrow"))
    r.message.register(on_tomorrow, F.text == BUTTON_TOMORROW)
    r.message.register(on_my_lessons, F.text == BUTTON_MY_LESSONS)
    r.callback_query.register(on_day, TimetableDay.filter())
    r.callback_query.register(on_staff_day, StaffDayPage.filter())
    return r


async def on_today(message: Message, **data: Any) -> None:
    if await _answered_as_teacher(message, data, data["today"]):
        return
    child = await focus_or_explain(message, data)
    if child is None:
        return
    try:
        day = await student_timetable(
            data["session"], child.student_id, data["today"], data["reader"]
        )
    except AccessDenied:
        await message.answer(not_available())
        return
    shown = TimetableDay(child=child.student_id, day=day.date.toordinal())
    await answer_paged(message, _day_text(child, day), shown, _arrows(child, day.date))


async def on_tomorrow(message: Message, **data: Any) -> None:
    if await _tomorrow_as_teacher(message, data):
        return
    child = await focus_or_explain(message, data)
    if child is None:
        return
    session, reader = data["session"], data["reader"]
    try:
        today, day = await student_days_ahead(
            session, child.student_id, data["today"], reader, with_today=False
        )
        if today.class_id is None:
            await message.answer(views.day_view(child, today))
            return
        if day is None:
            await message.answer(views.no_more_school_days(child))
            return
        homework = await homework_due(session, child.student_id, day.date, reader)
        note = None
        if day.date != data["today"] + timedelta(days=1):
            # Say which day this is and why: the holidays skipped are named.
            note = views.day_off_note(
                await next_school_day_of(session, today.class_id, data["today"])
            )
    except AccessDenied:
        await message.answer(not_available())
        return
    # Paged, never cut: the pages are the typed «что задали на завтра» asked today, which
    # answers the same day with the same homework (handlers.questions builds them again).
    text = views.with_note(note, "\n".join(views.day_lines(child, day, homework)))
    shown = AnswerPage(
        topic=Topic.HOMEWORK.value,
        child=child.student_id,
        on=data["today"].toordinal(),
        day=(data["today"] + timedelta(days=1)).toordinal(),
        tomorrow=True,
    )
    await answer_paged(message, text, shown, _arrows(child, day.date))
    await send_attachments(message, homework, data["files"])


async def on_my_lessons(message: Message, **data: Any) -> None:
    """A staff member's own lessons today, whichever child is in focus."""
    account: AccountView | None = data["account"]
    if account is None or account.staff_id is None:
        await message.answer(not_available())
        return
    await answer_teacher_day(message, data, account.staff_id, data["today"])


def _teacher_alone(data: dict[str, Any]) -> int | None:
    """The staff id of a staff member with no child in focus: /timetable and /tomorrow are
    their own lessons (a staff member who is also a guardian has "👩‍🏫 My lessons" for those)."""
    account: AccountView | None = data["account"]
    if account is None or account.staff_id is None or child_in_focus(account) is not None:
        return None
    return account.staff_id


async def _answered_as_teacher(message: Message, data: dict[str, Any], day: date) -> bool:
    staff_id = _teacher_alone(data)
    if staff_id is not None:
        await answer_teacher_day(message, data, staff_id, day)
    return staff_id is not None


async def _tomorrow_as_teacher(message: Message, data: dict[str, Any]) -> bool:
    staff_id = _teacher_alone(data)
    if staff_id is not None:
        await answer_teacher_tomorrow(message, data, staff_id)
    return staff_id is not None


async def answer_teacher_day(
    message: Message, data: dict[str, Any], staff_id: int, day: date
) -> None:
    text = await _teacher_day_text(data, staff_id, day)
    await answer_paged(message, text, StaffDayPage(day=day.toordinal()))


async def answer_teacher_tomorrow(message: Message, data: dict[str, Any], staff_id: int) -> None:
    """A teacher's "tomorrow": the school's next school day (its week and holidays)."""
    day, text = await _teacher_tomorrow_text(data, staff_id, data["today"])
    shown = StaffDayPage(day=day.toordinal(), on=data["today"].toordinal())
    await answer_paged(message, text, shown)


async def _teacher_day_text(
    data: dict[str, Any], staff_id: int, day: date, note: str | None = None
) -> str:
    lessons = await teacher_timetable(data["session"], staff_id, day, data["reader"])
    return views.with_note(note, views.teacher_day_view(lessons))


async def _teacher_tomorrow_text(
    data: dict[str, Any], staff_id: int, today: date
) -> tuple[date, str]:
    """The day after ``today`` a teacher's "tomorrow" means, and its lessons under the note."""
    following = await staff_next_day(data["session"], staff_id, today)
    day = following.day or today + timedelta(days=1)
    note = views.day_off_note(following) if following.skips and following.day else None
    return day, await _teacher_day_text(data, staff_id, day, note)


async def on_staff_day(query: CallbackQuery, callback_data: StaffDayPage, **data: Any) -> None:
    """Another page of a staff member's day: their own (the account's), built again."""
    account: AccountView | None = data["account"]
    day, on = day_of(callback_data.day), day_of(callback_data.on) if callback_data.on else None
    if account is None or account.staff_id is None or day is None or (callback_data.on and not on):
        await query.answer(not_available(), show_alert=True)
        return
    if on is not None:
        _day, text = await _teacher_tomorrow_text(data, account.staff_id, on)
    else:
        text = await _teacher_day_text(data, account.staff_id, day)
    await edit_paged(query, text, callback_data)


async def on_day(query: CallbackQuery, callback_data: TimetableDay, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    day = day_of(callback_data.day)
    if child is None or day is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        # A day or its week, paged, not cut: each page is built again, access checked again.
        if callback_data.week:
            text = await week_text(child, day, data)
        else:
            timetable = await student_timetable(
                data["session"], child.student_id, day, data["reader"]
            )
            text = _day_text(child, timetable)
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await edit_paged(query, text, callback_data, _arrows(child, day))


def _day_text(child: ChildRef, day: DayTimetable) -> str:
    return "\n".join(views.day_lines(child, day))


def _arrows(child: ChildRef, day: date) -> list[list[InlineKeyboardButton]]:
    """The day's arrows and "the whole week", under the page buttons."""
    return views.day_keyboard(child.student_id, day).inline_keyboard


async def week_text(child: ChildRef, day: date, data: dict[str, Any]) -> str:
    """Monday to Saturday of ``day``'s week, the days with lessons or a holiday; the whole of
    it (the caller pages it)."""
    monday = day - timedelta(days=day.weekday())
    days = [
        await student_timetable(
            data["session"], child.student_id, monday + timedelta(days=n), data["reader"]
        )
        for n in range(6)
    ]
    shown = [_day_text(child, d) for d in days if d.lessons or d.holiday]
    return "\n\n".join(shown) if shown else _day_text(child, days[0])
