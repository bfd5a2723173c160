"""``/timetable`` (today) and ``/tomorrow`` (the next school day, with the homework due)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from core.access.policy import AccessDenied
from core.linking.dto import AccountView, ChildRef
from core.services.homework import homework_due
from core.services.timetable import student_days_ahead, student_timetable, teacher_timetable
from handlers.attachments import send_attachments
from handlers.callbacks import TimetableDay, day_of
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.menu import BUTTON_TIMETABLE, BUTTON_TOMORROW
from handlers.views import timetable as views
from handlers.views.limits import fit


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_today, Command("timetable"))
    r.message.register(on_today, F.text == BUTTON_TIMETABLE)
    r.message.register(on_tomorrow, Command("tomorrow"))
    r.message.register(on_tomorrow, F.text == BUTTON_TOMORROW)
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
    if await _answered_as_teacher(message, data, _next_weekday(data["today"])):
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
    except AccessDenied:
        await message.answer(not_available())
        return
    await message.answer(
        views.day_view(child, day, homework),
        reply_markup=views.day_keyboard(child.student_id, day.date),
    )
    await send_attachments(message, homework, data["files"])


async def _answered_as_teacher(message: Message, data: dict[str, Any], day: date) -> bool:
    """A staff member with no child in focus sees their own lessons of ``day``."""
    account: AccountView | None = data["account"]
    if account is None or account.staff_id is None or child_in_focus(account) is not None:
        return False
    lessons = await teacher_timetable(data["session"], account.staff_id, day, data["reader"])
    await message.answer(views.teacher_day_view(lessons))
    return True


def _next_weekday(today: date) -> date:
    # A teacher's "tomorrow": the next Monday-to-Saturday day; holidays show as no lessons.
    following = today + timedelta(days=1)
    return following + timedelta(days=1) if following.weekday() == 6 else following


async def on_day(query: CallbackQuery, callback_data: TimetableDay, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    day = day_of(callback_data.day)
    if child is None or day is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        if callback_data.week:
            text = await week_text(child, day, data)
        else:
            text = views.day_view(
                child,
                await student_timetable(data["session"], child.student_id, day, data["reader"]),
            )
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await query.message.edit_text(text, reply_markup=views.day_keyboard(child.student_id, day))


async def week_text(child: ChildRef, day: date, data: dict[str, Any]) -> str:
    """Monday to Saturday of ``day``'s week, the days with lessons or a holiday."""
    monday = day - timedelta(days=day.weekday())
    days = [
        await student_timetable(
            data["session"], child.student_id, monday + timedelta(days=n), data["reader"]
        )
        for n in range(6)
    ]
    shown = [views.day_view(child, d) for d in days if d.lessons or d.holiday]
    return fit("\n\n".join(shown).split("\n")) if shown else views.day_view(child, days[0])
