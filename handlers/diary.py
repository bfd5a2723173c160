"""``/marks``: the diary of the child in focus, a week at a time, and one subject in full."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from core.access.policy import AccessDenied
from core.reader import Reader
from core.services.calendar import term_bounds
from core.services.diary import diary
from handlers.callbacks import MarksSubject, MarksTerm, MarksWeek, day_of
from handlers.family import child_in_focus, focus_or_explain, not_available
from handlers.menu import BUTTON_MARKS
from handlers.views import diary as views

# How far back one subject's page reaches; the view keeps the marks of the term.
_SUBJECT_LOOKBACK = timedelta(days=190)


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_marks, Command("marks"))
    r.message.register(on_marks, F.text == BUTTON_MARKS)
    r.callback_query.register(on_week, MarksWeek.filter())
    r.callback_query.register(on_subject, MarksSubject.filter())
    r.callback_query.register(on_term, MarksTerm.filter())
    return r


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def on_marks(message: Message, **data: Any) -> None:
    child = await focus_or_explain(message, data)
    if child is None:
        return
    monday = monday_of(data["today"])
    reader: Reader = data["reader"]
    try:
        week = await diary(
            data["session"], child.student_id, monday, monday + timedelta(days=6), reader
        )
    except AccessDenied:
        await message.answer(not_available())
        return
    text, keyboard = views.week_view(child, week)
    await message.answer(text, reply_markup=keyboard)


async def on_week(query: CallbackQuery, callback_data: MarksWeek, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    monday = _monday(callback_data.monday)
    if child is None or monday is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        week = await diary(
            data["session"], child.student_id, monday, monday + timedelta(days=6), data["reader"]
        )
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    text, keyboard = views.week_view(child, week, callback_data.page)
    await query.message.edit_text(text, reply_markup=keyboard)


async def on_subject(query: CallbackQuery, callback_data: MarksSubject, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    day = day_of(callback_data.day)
    if child is None or day is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        marks = await diary(
            data["session"],
            child.student_id,
            day - _SUBJECT_LOOKBACK,
            day,
            data["reader"],
            subject_id=callback_data.subject,
        )
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    text, keyboard = views.subject_view(child, marks, monday_of(day), callback_data)
    await query.message.edit_text(text, reply_markup=keyboard)


def _monday(ordinal: int) -> date | None:
    day = day_of(ordinal)
    return monday_of(day) if day is not None else None


async def on_term(query: CallbackQuery, callback_data: MarksTerm, **data: Any) -> None:
    child = child_in_focus(data["account"], callback_data.child)
    day = day_of(callback_data.day)
    if child is None or day is None or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    # Only dates are worked out here; the marks are read through the checked diary below.
    bounds = await term_bounds(data["session"], child.student_id, day, callback_data.step)
    if bounds is None:
        await query.answer(_("There is no such term."), show_alert=True)
        return
    try:
        found = await diary(data["session"], child.student_id, bounds[0], bounds[1], data["reader"])
    except AccessDenied:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    shown = MarksTerm(child=child.student_id, day=bounds[1].toordinal(), page=callback_data.page)
    text, keyboard = views.term_view(child, found, shown)
    await query.message.edit_text(text, reply_markup=keyboard)
