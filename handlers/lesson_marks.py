"""A lesson's marks from the chat: one message or a pupil and a mark (two taps), a comment under
a mark, the preview and "Save"; marks given meanwhile from elsewhere; corrections with a reason.

The marks waiting for "Save" and the ids of the marks the screen showed live in the chat's
state; the lesson, the pupils and every value are judged again by the core on each press.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.values import BadValue, parse_mark
from core.services.class_data import load_class
from core.teaching.corrections import (
    REASON_LIMIT,
    CorrectionError,
    correct_mark,
    lesson_marks,
    mark_of,
)
from core.teaching.dto import LessonSheet, LessonSlot, WriteRefused
from core.teaching.lessons import open_sheet
from core.teaching.marks import (
    COMMENT_LIMIT,
    MarksConflict,
    MarksInputError,
    NewMark,
    parse_marks,
    save_marks,
    with_comment,
    work_types,
)
from handlers.callbacks import MarkFix, MarkPick, MarksAct
from handlers.states import Teaching
from handlers.teaching_kit import durable, sheet_or_alert, slot_from_state
from handlers.views import lesson as views
from handlers.views import lesson_marks as marks_views


def register(r: Router) -> None:
    r.callback_query.register(on_marks_act, MarksAct.filter())
    r.callback_query.register(on_mark_pick, MarkPick.filter())
    r.callback_query.register(on_mark_fix, MarkFix.filter())
    r.message.register(on_marks_text, Teaching.marks, F.text, ~F.text.startswith("/"))
    r.message.register(on_comment_text, Teaching.comment, F.text, ~F.text.startswith("/"))
    r.message.register(on_reason_text, Teaching.reason, F.text, ~F.text.startswith("/"))


async def _work_types(session: AsyncSession, slot: LessonSlot) -> tuple[tuple[int, str], ...]:
    return await work_types(session, (await load_class(session, slot.class_id)).school_id)


async def show_prompt(
    message: Message, state: FSMContext, data: dict[str, Any], sheet: LessonSheet
) -> None:
    """Open the marks of a lesson: the list to mark, the default (most used) work type."""
    session: AsyncSession = data["session"]
    types = await _work_types(session, sheet.slot)
    chosen = types[0][0] if types else 0
    given = await lesson_marks(session, sheet.lesson_id)
    await state.set_state(Teaching.marks)
    await state.set_data(
        {"slot": views.slot_fields(sheet.slot), "wt": chosen, "seen": [g[0] for g in given]}
    )
    text, keyboard = marks_views.marks_prompt(sheet, types, chosen, given)
    await message.answer(text, reply_markup=keyboard)


def pending_of(raw: object) -> tuple[NewMark, ...]:
    """The marks waiting for "Save" as the state keeps them; () when it is not that."""
    if not isinstance(raw, list):
        return ()
    found = []
    for item in raw:
        if not (isinstance(item, list) and len(item) in (3, 4)):
            return ()
        number, value, numeric, *rest = item
        comment = rest[0] if rest else None
        if not isinstance(number, int) or not isinstance(value, str):
            return ()
        found.append(
            NewMark(
                number,
                value,
                numeric if isinstance(numeric, int) else None,
                comment if isinstance(comment, str) else None,
            )
        )
    return tuple(found)


def _stored(marks: tuple[NewMark, ...]) -> list[list[object]]:
    return [[m.number, m.value, m.numeric, m.comment] for m in marks]


async def _marking(
    query: CallbackQuery, state: FSMContext, data: dict[str, Any]
) -> tuple[Message, LessonSheet, dict[str, Any]] | None:
    """The message, the judged lesson and the state of a marks press; None after an alert."""
    message = query.message
    stored = await state.get_data()
    slot = slot_from_state(stored.get("slot"))
    if (
        not isinstance(message, Message)
        or slot is None
        or await state.get_state() not in (Teaching.marks, Teaching.comment)
    ):
        await query.answer(views.stale(), show_alert=True)
        return None
    sheet = await sheet_or_alert(query, data, slot)
    if sheet is None:
        return None
    return message, sheet, stored


async def on_marks_text(message: Message, state: FSMContext, **data: Any) -> None:
    stored = await state.get_data()
    slot = slot_from_state(stored.get("slot"))
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
        await message.answer(marks_views.marks_problem(problem))
        return
    await state.update_data(marks=_stored(marks))
    text, keyboard = marks_views.marks_preview(sheet, marks)
    await message.answer(text, reply_markup=keyboard)


async def on_mark_pick(
    query: CallbackQuery, callback_data: MarkPick, state: FSMContext, **data: Any
) -> None:
    """Tap one: a pupil → the values; tap two: a value → the preview. ``c``: a comment."""
    found = await _marking(query, state, data)
    if found is None:
        return
    message, sheet, stored = found
    pupil = sheet.pupil(callback_data.n)
    pending = pending_of(stored.get("marks"))
    if pupil is None:
        await query.answer(views.stale(), show_alert=True)
        return
    if not callback_data.v:
        await query.answer()
        text, keyboard = marks_views.mark_values(sheet, pupil.number)
        await message.edit_text(text, reply_markup=keyboard)
        return
    if callback_data.v == "c":
        mark = next((m for m in pending if m.number == pupil.number), None)
        if mark is None:
            await query.answer(views.stale(), show_alert=True)
            return
        await query.answer()
        await _ask_comment(message, state, sheet, mark)
        return
    try:
        value, numeric = parse_mark(callback_data.v)
    except BadValue:
        await query.answer(views.stale(), show_alert=True)
        return
    others = [m for m in pending if m.number != pupil.number]
    marks = tuple(sorted([*others, NewMark(pupil.number, value, numeric)], key=lambda m: m.number))
    await state.set_state(Teaching.marks)
    await state.update_data(marks=_stored(marks))
    await query.answer()
    text, keyboard = marks_views.marks_preview(sheet, marks)
    await message.edit_text(text, reply_markup=keyboard)


async def _ask_comment(
    message: Message, state: FSMContext, sheet: LessonSheet, mark: NewMark
) -> None:
    await state.set_state(Teaching.comment)
    await state.update_data(comment_for=mark.number)
    await message.answer(marks_views.ask_comment(sheet, mark, COMMENT_LIMIT))


async def on_comment_text(message: Message, state: FSMContext, **data: Any) -> None:
    stored = await state.get_data()
    slot = slot_from_state(stored.get("slot"))
    pending = pending_of(stored.get("marks"))
    number = stored.get("comment_for")
    if slot is None or not pending or not isinstance(number, int):
        await state.clear()
        await message.answer(views.stale())
        return
    try:
        sheet = await open_sheet(data["session"], data["reader"], slot, today=data["today"])
        comment = with_comment(message.text or "")
    except WriteRefused as refused:
        await message.answer(views.refusal(refused.refusal))
        return
    except ValueError:
        await message.answer(marks_views.bad_comment(COMMENT_LIMIT))
        return
    marks = tuple(
        NewMark(m.number, m.value, m.numeric, comment) if m.number == number else m for m in pending
    )
    await state.set_state(Teaching.marks)
    await state.update_data(marks=_stored(marks), comment_for=None)
    text, keyboard = marks_views.marks_preview(sheet, marks)
    await message.answer(text, reply_markup=keyboard)


async def on_marks_act(
    query: CallbackQuery, callback_data: MarksAct, state: FSMContext, **data: Any
) -> None:
    found = await _marking(query, state, data)
    if found is None:
        return
    message, sheet, stored = found
    session: AsyncSession = data["session"]
    pending = pending_of(stored.get("marks"))
    act = callback_data.act
    if act in ("type", "more"):
        types = await _work_types(session, sheet.slot)
        chosen = callback_data.wt if act == "type" else int(stored.get("wt") or 0)
        if act == "type" and chosen not in dict(types):
            await query.answer(views.stale(), show_alert=True)
            return
        given = await lesson_marks(session, sheet.lesson_id)
        await state.set_state(Teaching.marks)
        await state.update_data(wt=chosen, seen=[g[0] for g in given])
        await query.answer()
        text, keyboard = marks_views.marks_prompt(sheet, types, chosen, given, pending)
        await message.edit_text(text, reply_markup=keyboard)
        return
    if act == "fixes":
        await query.answer()
        text, keyboard = marks_views.mark_fixes(sheet, await lesson_marks(session, sheet.lesson_id))
        await message.edit_text(text, reply_markup=keyboard)
        return
    if act == "cancel":
        await state.clear()
        await query.answer()
        await message.edit_text(marks_views.marks_cancelled())
        return
    if not pending:
        await query.answer(views.stale(), show_alert=True)
        return
    if act == "comment":
        await query.answer()
        if len(pending) == 1:
            await _ask_comment(message, state, sheet, pending[0])
        else:
            text, keyboard = marks_views.comment_whom(sheet, pending)
            await message.answer(text, reply_markup=keyboard)
        return
    await _save(query, message, state, data, sheet, stored, pending, act)


async def _save(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    data: dict[str, Any],
    sheet: LessonSheet,
    stored: dict[str, Any],
    pending: tuple[NewMark, ...],
    act: str,
) -> None:
    """ "Save" checks for marks given meanwhile; "force" adds anyway; "skip" leaves those out."""
    clash = stored.get("clash")
    if act == "skip" and isinstance(clash, list):
        pending = tuple(m for m in pending if m.number not in clash)
    seen = stored.get("seen") if act == "save" else None
    try:
        saved = await save_marks(
            data["session"],
            data["reader"],
            sheet.slot,
            pending,
            work_type_id=int(stored.get("wt") or 0) or None,
            now=data["now"],
            today=data["today"],
            seen=[int(i) for i in seen] if isinstance(seen, list) else None,
        )
    except WriteRefused as refused:
        await query.answer(views.refusal(refused.refusal), show_alert=True)
        return
    except MarksInputError as problem:
        await query.answer(marks_views.marks_problem(problem), show_alert=True)
        return
    except MarksConflict as conflict:
        numbers = sorted({number for number, _value in conflict.given})
        await state.update_data(clash=numbers)
        await query.answer()
        everyone = {m.number for m in pending} <= set(numbers)
        text, keyboard = marks_views.marks_clash(sheet, conflict.given, everyone)
        await message.answer(text, reply_markup=keyboard)
        return
    await durable(data)
    await state.clear()
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(marks_views.marks_saved(saved.added))


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
        text, keyboard = marks_views.correction_values(callback_data.mark, name, value)
        await message.answer(text, reply_markup=keyboard)
        return
    if callback_data.v != "del" and callback_data.v not in marks_views.CORRECTION_VALUES:
        await message.answer(views.stale())
        return
    await state.set_state(Teaching.reason)
    await state.set_data({"mark": callback_data.mark, "value": callback_data.v})
    await message.answer(marks_views.ask_reason())


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
        await message.answer(marks_views.bad_reason(REASON_LIMIT))
        return
    await durable(data)
    await state.clear()
    name = found[0] if found else ""
    await message.answer(marks_views.corrected(name, done.before, done.after))
