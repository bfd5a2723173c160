"""``/lesson``: a teacher keeps the journal of a lesson — the card, the day's other lessons and
earlier days, the roll-call and the topic (the marks are handlers/lesson_marks.py).

Thin: the core finds the teacher's lessons and judges every write (core.teaching); here the
buttons are read (never trusted: a forged or stale one is judged like any other), the views
shown, and a typed roll-call shortcut routed to the lesson on the screen.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.models.enums import AttendanceCode
from core.services.timetable_lessons import TimetableLesson
from core.teaching.access import staff_edit_window
from core.teaching.dto import LessonSheet, WriteRefused
from core.teaching.lessons import lesson_now, open_sheet, slot_of, teacher_lessons
from core.teaching.plan import PlanItemMismatchError, next_topic, take_plan_topic
from core.teaching.rollcall import (
    RollCallConflict,
    ShortcutError,
    parse_shortcut,
    roll_code,
    roll_fingerprint,
    save_roll_call,
)
from core.teaching.topics import TOPIC_LIMIT, TopicTooLongError, save_topic
from handlers import lesson_marks
from handlers.callbacks import LessonDay, LessonOpen, RollTap, TopicTake, day_of
from handlers.menu import BUTTON_LESSON
from handlers.states import Teaching
from handlers.teaching_kit import durable, sheet_or_alert, slot_from, slot_from_state, staff_of
from handlers.views import lesson as views

# The picker looks this many days back at most (a school may allow a longer window; an older
# lesson is then opened by the head teacher, or with the picker of a later day).
PICKER_DAYS = 14


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_lesson, Command("lesson"))
    r.message.register(on_lesson, F.text == BUTTON_LESSON)
    r.callback_query.register(on_open, LessonOpen.filter())
    r.callback_query.register(on_day, LessonDay.filter())
    r.callback_query.register(on_roll_tap, RollTap.filter())
    r.callback_query.register(on_topic_take, TopicTake.filter())
    r.message.register(on_roll_text, Teaching.roll, F.text, ~F.text.startswith("/"))
    r.message.register(on_topic_text, Teaching.topic, F.text, ~F.text.startswith("/"))
    lesson_marks.register(r)
    return r


async def on_lesson(message: Message, state: FSMContext, **data: Any) -> None:
    staff_id = staff_of(data)
    if staff_id is None:
        await message.answer(views.not_a_teacher())
        return
    await state.clear()
    session: AsyncSession = data["session"]
    today: date = data["today"]
    lessons = await teacher_lessons(session, data["reader"], staff_id, today)
    timezone: ZoneInfo = data["timezone"]
    now: datetime = data["now"]
    index = lesson_now(lessons, now.astimezone(timezone).time().replace(tzinfo=None))
    if index is None:
        text, keyboard = views.no_lessons_today(today)
        await message.answer(text, reply_markup=keyboard)
        return
    await _card(message, data, lessons, index, today, edit=False)


async def _card(
    message: Message,
    data: dict[str, Any],
    lessons: tuple[TimetableLesson, ...],
    index: int,
    day: date,
    *,
    edit: bool,
) -> None:
    try:
        sheet = await open_sheet(
            data["session"], data["reader"], slot_of(lessons[index], day), today=data["today"]
        )
    except WriteRefused as refused:
        await message.answer(views.refusal(refused.refusal))
        return
    text, keyboard = views.lesson_card(lessons, index, sheet)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def on_day(query: CallbackQuery, callback_data: LessonDay, **data: Any) -> None:
    """The list of days within the edit window (0), or a chosen day's first lesson."""
    message = query.message
    staff_id = staff_of(data)
    if not isinstance(message, Message) or staff_id is None:
        await query.answer(views.stale(), show_alert=True)
        return
    session: AsyncSession = data["session"]
    today: date = data["today"]
    window = await staff_edit_window(session, staff_id)
    if callback_data.day == 0:
        days = []
        for back in range(min(window, PICKER_DAYS) + 1):
            earlier = today - timedelta(days=back)
            count = len(await teacher_lessons(session, data["reader"], staff_id, earlier))
            if count:
                days.append((earlier, count))
        await query.answer()
        text, keyboard = views.days_picker(days)
        await message.edit_text(text, reply_markup=keyboard)
        return
    day = day_of(callback_data.day)
    if day is None or not today - timedelta(days=window) <= day <= today:
        # The core would refuse each lesson of such a day anyway; say why at once.
        await query.answer(views.refusal_outside_window(), show_alert=True)
        return
    lessons = await teacher_lessons(session, data["reader"], staff_id, day)
    if not lessons:
        await query.answer(views.no_lessons(day), show_alert=True)
        return
    await query.answer()
    await _card(message, data, lessons, 0, day, edit=True)


async def on_open(
    query: CallbackQuery, callback_data: LessonOpen, state: FSMContext, **data: Any
) -> None:
    message = query.message
    slot = slot_from(callback_data.day, callback_data.period, callback_data.cls, callback_data.grp)
    staff_id = staff_of(data)
    if not isinstance(message, Message) or slot is None or staff_id is None:
        await query.answer(views.stale(), show_alert=True)
        return
    sheet = await sheet_or_alert(query, data, slot)
    if sheet is None:
        return
    await query.answer()
    if callback_data.act == "roll":
        await state.set_state(Teaching.roll)
        await state.set_data({"slot": views.slot_fields(slot)})
        marks = [roll_code(sheet.attendance.get(p.student_id)) for p in sheet.pupils]
        text, keyboard = views.roll_call(sheet, marks, roll_fingerprint(sheet.attendance))
        await message.answer(text, reply_markup=keyboard)
    elif callback_data.act == "marks":
        await lesson_marks.show_prompt(message, state, data, sheet)
    elif callback_data.act == "topic":
        await state.set_state(Teaching.topic)
        await state.set_data({"slot": views.slot_fields(slot)})
        prompt, take = views.topic_prompt(sheet, await next_topic(data["session"], sheet.lesson_id))
        await message.answer(prompt, reply_markup=take)
    else:
        lessons = await teacher_lessons(data["session"], data["reader"], staff_id, slot.day)
        index = next(
            (i for i, lesson in enumerate(lessons) if slot_of(lesson, slot.day) == slot), None
        )
        if index is None:
            await message.answer(views.stale())
            return
        text, keyboard = views.lesson_card(lessons, index, sheet)
        await message.edit_text(text, reply_markup=keyboard)


async def on_roll_tap(query: CallbackQuery, callback_data: RollTap, **data: Any) -> None:
    message = query.message
    slot = slot_from(callback_data.day, callback_data.period, callback_data.cls, callback_data.grp)
    if not isinstance(message, Message) or slot is None:
        await query.answer(views.stale(), show_alert=True)
        return
    sheet = await sheet_or_alert(query, data, slot)
    if sheet is None:
        return
    marks = views.decode_state(callback_data.state, len(sheet.pupils))
    if marks is None:
        await query.answer(views.stale(), show_alert=True)
        return
    tap, base = callback_data.tap, callback_data.base or None
    if tap in (views.SAVE, views.ALL_PRESENT):
        absent = {
            pupil.student_id: mark
            for pupil, mark in zip(sheet.pupils, marks, strict=True)
            if mark is not None and tap == views.SAVE
        }
        # "Save" keeps the buttons as they are; "All present" clears them.
        shown = (callback_data.state, callback_data.base)
        await _save_roll(query, message, data, sheet, absent, base, shown)
        return
    if not 1 <= tap <= len(marks):
        await query.answer(views.stale(), show_alert=True)
        return
    current = views.CYCLE.index(marks[tap - 1])
    marks[tap - 1] = views.CYCLE[(current + 1) % len(views.CYCLE)]
    await query.answer()
    text, keyboard = views.roll_call(sheet, marks, callback_data.base)
    await message.edit_text(text, reply_markup=keyboard)


async def _save_roll(
    query: CallbackQuery,
    message: Message,
    data: dict[str, Any],
    sheet: LessonSheet,
    absent: dict[int, AttendanceCode],
    base: str | None,
    shown: tuple[str, str],
) -> None:
    """Save; then the screen shows what was saved and its new fingerprint (so the next save
    from it is no clash), unless it shows exactly that already."""
    try:
        saved = await save_roll_call(
            data["session"],
            data["reader"],
            sheet.slot,
            absent,
            now=data["now"],
            today=data["today"],
            base=base,
        )
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return
    except RollCallConflict as conflict:
        # Saved from elsewhere since this screen opened: show both, the teacher decides.
        await query.answer()
        mine = [absent.get(p.student_id) for p in sheet.pupils]
        text, keyboard = views.roll_clash(sheet, conflict.now, mine, conflict.fingerprint)
        await message.answer(text, reply_markup=keyboard)
        return
    await durable(data)
    await query.answer()
    marks = [absent.get(p.student_id) for p in sheet.pupils]
    now_shown = (views.encode_state(marks), roll_fingerprint(absent))
    if now_shown != shown:
        text, keyboard = views.roll_call(sheet, marks, now_shown[1])
        with contextlib.suppress(TelegramBadRequest):  # deleted meanwhile: the reply says it
            await message.edit_text(text, reply_markup=keyboard)
    await message.answer(views.roll_saved(sheet, saved, len(absent)))


async def on_roll_text(message: Message, state: FSMContext, **data: Any) -> None:
    """A typed «н 3 17» changes those pupils on top of what the journal holds now."""
    slot = slot_from_state((await state.get_data()).get("slot"))
    if slot is None:
        await state.clear()
        await message.answer(views.stale())
        return
    session: AsyncSession = data["session"]
    try:
        sheet = await open_sheet(session, data["reader"], slot, today=data["today"])
        changes = parse_shortcut(message.text or "", len(sheet.pupils))
    except WriteRefused as refused:
        await message.answer(views.refusal(refused.refusal))
        return
    except ShortcutError as problem:
        await message.answer(views.shortcut_problem(problem))
        return
    absent: dict[int, AttendanceCode] = {
        student: code
        for student, found in sheet.attendance.items()
        if (code := roll_code(found)) is not None
    }
    for number, code in changes.items():
        pupil = sheet.pupils[number - 1]
        if code is None:
            absent.pop(pupil.student_id, None)
        else:
            absent[pupil.student_id] = code
    saved = await save_roll_call(
        session, data["reader"], slot, absent, now=data["now"], today=data["today"]
    )
    await durable(data)
    marks = [absent.get(p.student_id) for p in sheet.pupils]
    text, keyboard = views.roll_call(sheet, marks, roll_fingerprint(absent))
    await message.answer(views.roll_saved(sheet, saved, len(absent)))
    await message.answer(text, reply_markup=keyboard)


async def on_topic_text(message: Message, state: FSMContext, **data: Any) -> None:
    slot = slot_from_state((await state.get_data()).get("slot"))
    if slot is None:
        await state.clear()
        await message.answer(views.stale())
        return
    try:
        topic = await save_topic(
            data["session"], data["reader"], slot, message.text or "", today=data["today"]
        )
    except WriteRefused as refused:
        await message.answer(views.refusal(refused.refusal))
        return
    except TopicTooLongError:
        await message.answer(views.topic_too_long(TOPIC_LIMIT))
        return
    await durable(data)
    await state.clear()
    await message.answer(views.topic_saved(topic))


async def on_topic_take(
    query: CallbackQuery, callback_data: TopicTake, state: FSMContext, **data: Any
) -> None:
    """One tap on the plan's next topic: the lesson and the item are judged again."""
    message = query.message
    slot = slot_from(callback_data.day, callback_data.period, callback_data.cls, callback_data.grp)
    if not isinstance(message, Message) or slot is None:
        await query.answer(views.stale(), show_alert=True)
        return
    try:
        topic = await take_plan_topic(
            data["session"], data["reader"], slot, callback_data.item, today=data["today"]
        )
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return
    except PlanItemMismatchError:
        await query.answer(views.stale(), show_alert=True)
        return
    await durable(data)
    await state.clear()
    await query.answer()
    with contextlib.suppress(TelegramBadRequest):  # the prompt may be gone; the reply says it
        await message.edit_reply_markup(reply_markup=None)
    await message.answer(views.topic_saved(topic))
