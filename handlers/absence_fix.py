"""Fixing a lesson's absences: "🩹 Fix absences" on the lesson card lists them; a tap offers
present / Н / ОП; a short reason follows; core.teaching.absences judges, writes and tells the
family. Every press and the reason are judged again from the database (never the button).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.teaching.absences import (
    REASON_LIMIT,
    CorrectionError,
    LessonAbsence,
    absence_slot,
    correct_absence,
    lesson_absences,
)
from core.teaching.dto import LessonSlot, WriteRefused
from core.teaching.lessons import open_sheet
from handlers.callbacks import LessonOpen, day_of
from handlers.views import absence_fix as views
from handlers.views.lesson import refusal


class AbsenceFixing(StatesGroup):
    # The correction of one absence waits for its reason (the id and the choice in the data).
    reason = State()


def router() -> Router:
    r = Router(name=__name__)
    r.callback_query.register(on_list, LessonOpen.filter(F.act == "absfix"))
    r.callback_query.register(on_pick, views.AbsenceFix.filter())
    r.message.register(on_reason, AbsenceFixing.reason, F.text, ~F.text.startswith("/"))
    return r


async def on_list(query: CallbackQuery, callback_data: LessonOpen, **data: Any) -> None:
    on = day_of(callback_data.day)
    message = query.message
    if not isinstance(message, Message) or on is None or callback_data.cls <= 0:
        await query.answer(views.stale(), show_alert=True)
        return
    slot = LessonSlot(on, callback_data.period, callback_data.cls, callback_data.grp or None)
    session: AsyncSession = data["session"]
    try:
        sheet = await open_sheet(
            session, data["reader"], slot, today=data["today"], action="list_absences"
        )
    except WriteRefused as refused:
        await query.answer(refusal(refused.refusal), show_alert=True)
        return
    await query.answer()
    text, keyboard = views.absence_list(sheet, await lesson_absences(session, sheet.lesson_id))
    await message.answer(text, reply_markup=keyboard)


async def _judged(data: dict[str, Any], attendance_id: int) -> LessonAbsence | None:
    """The absence, if it is live and of a lesson the reader may write to; None otherwise."""
    session: AsyncSession = data["session"]
    slot = await absence_slot(session, attendance_id)
    if slot is None:
        return None
    try:
        sheet = await open_sheet(
            session, data["reader"], slot, today=data["today"], action="list_absences"
        )
    except WriteRefused:
        return None
    found = await lesson_absences(session, sheet.lesson_id)
    return next((a for a in found if a.attendance_id == attendance_id), None)


async def on_pick(
    query: CallbackQuery, callback_data: views.AbsenceFix, state: FSMContext, **data: Any
) -> None:
    message = query.message
    absence = await _judged(data, callback_data.a)
    if not isinstance(message, Message) or absence is None:
        await query.answer(views.stale(), show_alert=True)
        return
    if callback_data.v and callback_data.v not in views.CHOICES:
        await query.answer(views.stale(), show_alert=True)
        return
    await query.answer()
    if not callback_data.v:
        text, keyboard = views.choices(absence)
        await message.answer(text, reply_markup=keyboard)
        return
    await state.set_state(AbsenceFixing.reason)
    await state.set_data({"a": absence.attendance_id, "v": callback_data.v})
    await message.answer(views.ask_reason())


async def on_reason(message: Message, state: FSMContext, **data: Any) -> None:
    stored = await state.get_data()
    attendance_id, choice = stored.get("a"), stored.get("v")
    if not isinstance(attendance_id, int) or choice not in views.CHOICES:
        await state.clear()
        await message.answer(views.stale())
        return
    absence = await _judged(data, attendance_id)
    session: AsyncSession = data["session"]
    try:
        done = await correct_absence(
            session,
            data["reader"],
            attendance_id,
            views.CHOICES[choice],
            message.text or "",
            now=data["now"],
            today=data["today"],
        )
    except WriteRefused:
        await state.clear()
        await message.answer(views.stale())
        return
    except CorrectionError:
        await message.answer(views.bad_reason(REASON_LIMIT))
        return
    # Durable before the reply (see handlers/lesson.py): a failed reply keeps the correction.
    await session.commit()
    await state.clear()
    name = absence.name if absence is not None else ""
    await message.answer(views.corrected(name, done.before, done.after))
