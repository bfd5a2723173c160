"""``/lesson``: a teacher keeps the journal of a lesson — the roll-call and the marks.

Thin: the core finds the teacher's lessons and judges every write (core.teaching); here the
buttons are read (never trusted: a forged or stale one is judged like any other), the views
shown, and a typed roll-call shortcut or marks message routed to the lesson on the screen.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.dto import AccountView
from core.models.enums import AttendanceCode
from core.services.class_data import load_class
from core.teaching.corrections import (
    REASON_LIMIT,
    CorrectionError,
    correct_mark,
    lesson_marks,
    mark_of,
)
from core.teaching.dto import LessonSheet, LessonSlot, WriteRefused
from core.teaching.lessons import lesson_now, open_sheet, slot_of, teacher_lessons
from core.teaching.marks import MarksInputError, NewMark, parse_marks, save_marks, work_types
from core.teaching.rollcall import ShortcutError, parse_shortcut, save_roll_call
from core.teaching.topics import TOPIC_LIMIT, TopicTooLongError, save_topic
from handlers.callbacks import LessonOpen, MarkFix, MarksAct, RollTap, day_of
from handlers.menu import BUTTON_LESSON
from handlers.states import Teaching
from handlers.views import lesson as views


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_lesson, Command("lesson"))
    r.message.register(on_lesson, F.text == BUTTON_LESSON)
    r.callback_query.register(on_open, LessonOpen.filter())
    r.callback_query.register(on_roll_tap, RollTap.filter())
    r.callback_query.register(on_marks_act, MarksAct.filter())
    r.callback_query.register(on_mark_fix, MarkFix.filter())
    r.message.register(on_roll_text, Teaching.roll, F.text, ~F.text.startswith("/"))
    r.message.register(on_marks_text, Teaching.marks, F.text, ~F.text.startswith("/"))
    r.message.register(on_topic_text, Teaching.topic, F.text, ~F.text.startswith("/"))
    r.message.register(on_reason_text, Teaching.reason, F.text, ~F.text.startswith("/"))
    return r


async def _sheet_or_alert(
    query: CallbackQuery, data: dict[str, Any], slot: LessonSlot
) -> LessonSheet | None:
    """The lesson a press names, judged again; a refusal is the press's alert."""
    try:
        return await open_sheet(data["session"], data["reader"], slot, today=data["today"])
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return None


async def _durable(data: dict[str, Any]) -> None:
    """Commit the teacher's write now: the replies that follow may fail (a 429, a timeout), and
    the save must not go with them (the session middleware commits only after the handler)."""
    session: AsyncSession = data["session"]
    await session.commit()


def _staff(data: dict[str, Any]) -> int | None:
    account: AccountView | None = data["account"]
    return account.staff_id if account is not None else None


async def on_lesson(message: Message, state: FSMContext, **data: Any) -> None:
    staff_id = _staff(data)
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
        await message.answer(views.no_lessons(today))
        return
    await _card(message, data, lessons, index, today, edit=False)


async def _card(
    message: Message,
    data: dict[str, Any],
    lessons: tuple[Any, ...],
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


def _slot(day: int, period: int, cls: int, grp: int) -> LessonSlot | None:
    on = day_of(day)
    if on is None or not 0 < period < 20 or cls <= 0 or grp < 0:
        return None
    return LessonSlot(on, period, cls, grp or None)


async def on_open(
    query: CallbackQuery, callback_data: LessonOpen, state: FSMContext, **data: Any
) -> None:
    message = query.message
    slot = _slot(callback_data.day, callback_data.period, callback_data.cls, callback_data.grp)
    staff_id = _staff(data)
    if not isinstance(message, Message) or slot is None or staff_id is None:
        await query.answer(views.stale(), show_alert=True)
        return
    sheet = await _sheet_or_alert(query, data, slot)
    if sheet is None:
        return
    await query.answer()
    if callback_data.act == "roll":
        await state.set_state(Teaching.roll)
        await state.set_data({"slot": views.slot_fields(slot)})
        marks = [sheet.attendance.get(p.student_id) for p in sheet.pupils]
        text, keyboard = views.roll_call(sheet, [_roll_code(m) for m in marks])
        await message.answer(text, reply_markup=keyboard)
    elif callback_data.act == "marks":
        types = await work_types(
            data["session"], (await load_class(data["session"], slot.class_id)).school_id
        )
        chosen = types[0][0] if types else 0
        await state.set_state(Teaching.marks)
        await state.set_data({"slot": views.slot_fields(slot), "wt": chosen})
        given = await lesson_marks(data["session"], sheet.lesson_id)
        text, keyboard = views.marks_prompt(sheet, types, chosen, given)
        await message.answer(text, reply_markup=keyboard)
    elif callback_data.act == "topic":
        await state.set_state(Teaching.topic)
        await state.set_data({"slot": views.slot_fields(slot)})
        await message.answer(views.topic_prompt(sheet))
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


def _roll_code(code: AttendanceCode | None) -> AttendanceCode | None:
    # The class teacher's reasons count as absent on the roll-call.
    if code in (AttendanceCode.ILL, AttendanceCode.EXCUSED):
        return AttendanceCode.ABSENT
    return code


def _slot_from_state(stored: object) -> LessonSlot | None:
    if not isinstance(stored, dict):
        return None
    try:
        return _slot(
            int(stored["day"]), int(stored["period"]), int(stored["cls"]), int(stored["grp"])
        )
    except (KeyError, TypeError, ValueError):
        return None


async def _work_types(session: AsyncSession, slot: LessonSlot) -> tuple[tuple[int, str], ...]:
    return await work_types(session, (await load_class(session, slot.class_id)).school_id)


async def on_roll_tap(query: CallbackQuery, callback_data: RollTap, **data: Any) -> None:
    message = query.message
    slot = _slot(callback_data.day, callback_data.period, callback_data.cls, callback_data.grp)
    if not isinstance(message, Message) or slot is None:
        await query.answer(views.stale(), show_alert=True)
        return
    sheet = await _sheet_or_alert(query, data, slot)
    if sheet is None:
        return
    marks = views.decode_state(callback_data.state, len(sheet.pupils))
    if marks is None:
        await query.answer(views.stale(), show_alert=True)
        return
    tap = callback_data.tap
    if tap in (views.SAVE, views.ALL_PRESENT):
        absent = {
            pupil.student_id: mark
            for pupil, mark in zip(sheet.pupils, marks, strict=True)
            if mark is not None and tap == views.SAVE
        }
        # "Save" keeps the buttons as they are; "All present" clears them.
        await _save_roll(query, message, data, sheet, absent, redraw=tap == views.ALL_PRESENT)
        return
    if not 1 <= tap <= len(marks):
        await query.answer(views.stale(), show_alert=True)
        return
    current = views.CYCLE.index(marks[tap - 1])
    marks[tap - 1] = views.CYCLE[(current + 1) % len(views.CYCLE)]
    await query.answer()
    text, keyboard = views.roll_call(sheet, marks)
    await message.edit_text(text, reply_markup=keyboard)


async def _save_roll(
    query: CallbackQuery,
    message: Message,
    data: dict[str, Any],
    sheet: LessonSheet,
    absent: dict[int, AttendanceCode],
    *,
    redraw: bool,
) -> None:
    try:
        saved = await save_roll_call(
            data["session"],
            data["reader"],
            sheet.slot,
            absent,
            now=data["now"],
            today=data["today"],
        )
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return
    await _durable(data)
    await query.answer()
    if redraw:
        marks = [absent.get(p.student_id) for p in sheet.pupils]
        text, keyboard = views.roll_call(sheet, marks)
        with contextlib.suppress(TelegramBadRequest):  # already all present on the screen
            await message.edit_text(text, reply_markup=keyboard)
    await message.answer(views.roll_saved(sheet, saved))


async def on_roll_text(message: Message, state: FSMContext, **data: Any) -> None:
    slot = _slot_from_state((await state.get_data()).get("slot"))
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
        if (code := _roll_code(found)) is not None
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
    await _durable(data)
    text, keyboard = views.roll_call(sheet, [absent.get(p.student_id) for p in sheet.pupils])
    await message.answer(views.roll_saved(sheet, saved))
    await message.answer(text, reply_markup=keyboard)


async def on_marks_text(message: Message, state: FSMContext, **data: Any) -> None:
    stored = await state.get_data()
    slot = _slot_from_state(stored.get("slot"))
    if slot is None:
        await state.clear()
        await message.answer(views.stale())
        return
    try:
        sheet = await open_sheet(data["session"], data["reader"], slot, today=data["today"])
        marks = parse_marks(message.text or "", len(sheet.pupils))
    except WriteRefused as refused:
        await message.answer(views.refusal(refused.refusal))
        return
    except MarksInputError as problem:
        await message.answer(views.marks_problem(problem))
        return
    await state.update_data(marks=[[m.number, m.value, m.numeric] for m in marks])
    text, keyboard = views.marks_preview(sheet, marks)
    await message.answer(text, reply_markup=keyboard)


async def on_topic_text(message: Message, state: FSMContext, **data: Any) -> None:
    slot = _slot_from_state((await state.get_data()).get("slot"))
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
    await _durable(data)
    await state.clear()
    await message.answer(views.topic_saved(topic))


async def on_marks_act(
    query: CallbackQuery, callback_data: MarksAct, state: FSMContext, **data: Any
) -> None:
    message = query.message
    stored = await state.get_data()
    slot = _slot_from_state(stored.get("slot"))
    if (
        not isinstance(message, Message)
        or slot is None
        or await state.get_state() != Teaching.marks
    ):
        await query.answer(views.stale(), show_alert=True)
        return
    session: AsyncSession = data["session"]
    sheet = await _sheet_or_alert(query, data, slot)
    if sheet is None:
        return
    if callback_data.act == "type":
        types = await _work_types(session, slot)
        if callback_data.wt not in dict(types):
            await query.answer(views.stale(), show_alert=True)
            return
        await state.update_data(wt=callback_data.wt)
        await query.answer()
        given = await lesson_marks(session, sheet.lesson_id)
        text, keyboard = views.marks_prompt(sheet, types, callback_data.wt, given)
        await message.edit_text(text, reply_markup=keyboard)
        return
    if callback_data.act == "cancel":
        await state.clear()
        await query.answer()
        await message.edit_text(views.marks_cancelled())
        return
    raw = stored.get("marks")
    marks = _marks_from_state(raw)
    if not marks:
        await query.answer(views.stale(), show_alert=True)
        return
    try:
        saved = await save_marks(
            session,
            data["reader"],
            slot,
            marks,
            work_type_id=int(stored.get("wt") or 0) or None,
            now=data["now"],
            today=data["today"],
        )
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return
    except MarksInputError as problem:
        await query.answer(views.marks_problem(problem), show_alert=True)
        return
    await _durable(data)
    await state.clear()
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(views.marks_saved(saved.added))


async def on_mark_fix(
    query: CallbackQuery, callback_data: MarkFix, state: FSMContext, **data: Any
) -> None:
    """A tap on a given mark shows the values; a value (or delete) then waits for a reason.
    The mark and its lesson are judged again when the reason comes (core.teaching)."""
    message = query.message
    session: AsyncSession = data["session"]
    found = await _judged_mark(session, data, callback_data.mark)
    if not isinstance(message, Message) or found is None:
        await query.answer(views.stale(), show_alert=True)
        return
    name, value = found
    await query.answer()
    if not callback_data.v:
        text, keyboard = views.correction_values(callback_data.mark, name, value)
        await message.answer(text, reply_markup=keyboard)
        return
    if callback_data.v != "del" and callback_data.v not in views.CORRECTION_VALUES:
        await message.answer(views.stale())
        return
    await state.set_state(Teaching.reason)
    await state.set_data({"mark": callback_data.mark, "value": callback_data.v})
    await message.answer(views.ask_reason())


async def _judged_mark(
    session: AsyncSession, data: dict[str, Any], mark_id: int
) -> tuple[str, str] | None:
    """The pupil's name and the value of a mark the reader may correct; None otherwise."""
    found = await mark_of(session, mark_id)
    if found is None:
        return None
    slot, student_id, value = found
    try:
        sheet = await open_sheet(session, data["reader"], slot, today=data["today"])
    except WriteRefused:
        return None
    pupil = next((p for p in sheet.pupils if p.student_id == student_id), None)
    return (pupil.name, value) if pupil else None


async def on_reason_text(message: Message, state: FSMContext, **data: Any) -> None:
    stored = await state.get_data()
    mark_id, value = stored.get("mark"), stored.get("value")
    session: AsyncSession = data["session"]
    if not isinstance(mark_id, int) or not isinstance(value, str):
        await state.clear()
        await message.answer(views.stale())
        return
    found = await _judged_mark(session, data, mark_id)
    try:
        done = await correct_mark(
            session,
            data["reader"],
            mark_id,
            None if value == "del" else value,
            message.text or "",
            now=data["now"],
            today=data["today"],
        )
    except WriteRefused as refused:
        await state.clear()
        await message.answer(views.refusal(refused.refusal))
        return
    except CorrectionError:
        await message.answer(views.bad_reason(REASON_LIMIT))
        return
    await _durable(data)
    await state.clear()
    name = found[0] if found else ""
    await message.answer(views.corrected(name, done.before, done.after))


def _marks_from_state(raw: object) -> tuple[NewMark, ...]:
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3):
            return ()
        number, value, numeric = item
        if not isinstance(number, int) or not isinstance(value, str):
            return ()
        found.append(NewMark(number, value, numeric if isinstance(numeric, int) else None))
    return tuple(found)
