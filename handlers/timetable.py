"""``/timetable`` (today) and ``/tomorrow`` (the next school day, with the homework due)."""

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
from core.services.timetable import student_days_ahead, student_timetable, teacher_timetable
from handlers.attachments import send_attachments
from handlers.callbacks import AnswerPage, TimetableDay, day_of
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.menu import BUTTON_MY_LESSONS, BUTTON_TIMETABLE, BUTTON_TOMORROW
from handlers.views import timetable as views
from handlers.views.limits import paged


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_today, Command("timetable"))
    r.message.register(on_today, F.text == BUTTON_TIMETABLE)
    r.message.register(on_tomorrow, Command("tomorrow"))
    r.message.register(on_tomorrow, F.text == BUTTON_TOMORROW)
    r.message.register(on_my_lessons, F.text == BUTTON_MY_LESSONS)
    r.callback_query.register(on_day, TimetableDay.filter())
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
    await message.answer(
        views.day_view(child, day), reply_markup=views.day_keyboard(child.student_id, day.date)
    )


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
    page, nav = paged(text.split("\n"), 0, shown)
    await message.answer(page, reply_markup=views.day_keyboard(child.student_id, day.date, nav))
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
    message: Message, data: dict[str, Any], staff_id: int, day: date, note: str | None = None
) -> None:
    lessons = await teacher_timetable(data["session"], staff_id, day, data["reader"])
    await message.answer(views.with_note(note, views.teacher_day_view(lessons)))


async def answer_teacher_tomorrow(message: Message, data: dict[str, Any], staff_id: int) -> None:
    """A teacher's "tomorrow": the school's next school day (its week and holidays)."""
    following = await staff_next_day(data["session"], staff_id, data["today"])
    day = following.day or data["today"] + timedelta(days=1)
    note = views.day_off_note(following) if following.skips and following.day else None
    await answer_teacher_day(message, data, staff_id, day, note)


async def on_day(query: CallbackQuery, callback_data: TimetableDay, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    day = day_of(callback_data.day)
    if child is None or day is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    nav: list[list[InlineKeyboardButton]] = []
    try:
        if callback_data.week:
            # The week is paged, not cut: each page is built again and access checked again.
            text, nav = paged(
                (await week_text(child, day, data)).split("\n"), callback_data.page, callback_data
            )
        else:
            text = views.day_view(
                child,
                await student_timetable(data["session"], child.student_id, day, data["reader"]),
            )
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await query.message.edit_text(text, reply_markup=views.day_keyboard(child.student_id, day, nav))


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
    shown = [views.day_view(child, d) for d in days if d.lessons or d.holiday]
    return "\n\n".join(shown) if shown else views.day_view(child, days[0])
