"""The lesson card's «📚 Homework»: the teacher sends text, photos and documents, chooses for
whom (the class or named pupils) and the due date, and saves.

The draft lives in the chat's state (:class:`HomeworkDraft`); files are downloaded into the
journal's file store (``files``, :mod:`core.files`) as they come, so families on either
messenger get them later. Every press and message re-judges the lesson (core.teaching), and
"Save" hands everything to :func:`core.teaching.homework.assign_homework`, which judges the
lesson and the pupils once more, then commits before the bot replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.files import FileStore, FileTooLargeError, StoredFile, clean_name
from core.teaching.dto import LessonSheet, LessonSlot, WriteRefused
from core.teaching.homework import (
    FILES_LIMIT,
    HomeworkInputError,
    Problem,
    assign_homework,
    check_input,
    due_choices,
)
from core.teaching.lessons import open_sheet
from handlers.callbacks import LessonOpen, day_of
from handlers.views import lesson as lesson_views
from handlers.views import lesson_homework as views
from handlers.views.lesson_homework import HomeworkAct

__all__ = ["HomeworkAct", "HomeworkDraft", "router"]


class HomeworkDraft(StatesGroup):
    # Text and files are coming; the panel's buttons choose for whom and the due date.
    writing = State()


def router() -> Router:
    r = Router(name=__name__)
    r.callback_query.register(on_open, LessonOpen.filter(F.act == "hw"))
    r.callback_query.register(on_act, HomeworkAct.filter())
    r.message.register(on_text, HomeworkDraft.writing, F.text, ~F.text.startswith("/"))
    r.message.register(on_file, HomeworkDraft.writing, F.photo | F.document)
    r.message.register(
        on_other,
        HomeworkDraft.writing,
        F.sticker | F.voice | F.video_note | F.video | F.audio | F.animation,
    )
    return r


def _slot(fields: object) -> LessonSlot | None:
    if not isinstance(fields, dict):
        return None
    try:
        day = day_of(int(fields["day"]))
        period, cls, grp = int(fields["period"]), int(fields["cls"]), int(fields["grp"])
    except (KeyError, TypeError, ValueError):
        return None
    if day is None or not 0 < period < 20 or cls <= 0 or grp < 0:
        return None
    return LessonSlot(day, period, cls, grp or None)


async def _sheet(data: dict[str, Any], slot: LessonSlot) -> LessonSheet:
    return await open_sheet(data["session"], data["reader"], slot, today=data["today"])


async def on_open(
    query: CallbackQuery, callback_data: LessonOpen, state: FSMContext, **data: Any
) -> None:
    message = query.message
    slot = _slot(callback_data.model_dump())
    if not isinstance(message, Message) or slot is None:
        await query.answer(lesson_views.stale(), show_alert=True)
        return
    try:
        sheet = await _sheet(data, slot)
    except WriteRefused as refused:
        await query.answer(lesson_views.refusal(refused.refusal), show_alert=True)
        return
    choices = await due_choices(data["session"], slot, sheet.subject_id)
    await query.answer()
    await state.set_state(HomeworkDraft.writing)
    await state.set_data(
        {
            "slot": lesson_views.slot_fields(slot),
            "text": "",
            "files": [],
            "pupils": None,
            "due": 0,  # 0: the default, the first choice
            "choices": [day.toordinal() for day in choices.days],
            "lessons": choices.lessons,
        }
    )
    await message.answer(views.prompt(sheet))
    await _show_panel(message, state, sheet)


def _files(stored: dict[str, Any]) -> list[StoredFile]:
    found = []
    for item in stored.get("files") or []:
        if isinstance(item, list) and len(item) == 4:
            path, name, kind, size = item
            found.append(StoredFile(str(path), str(name), kind, int(size)))
    return found


def _pupils(stored: dict[str, Any]) -> tuple[int, ...] | None:
    raw = stored.get("pupils")
    return tuple(int(p) for p in raw) if isinstance(raw, list) else None


def _due(stored: dict[str, Any]) -> tuple[date, bool]:
    """The chosen due date, or the default; whether it is the next lesson of the subject."""
    choices = [d for o in stored.get("choices") or [] if (d := day_of(int(o))) is not None]
    chosen = day_of(int(stored.get("due") or 0)) if stored.get("due") else None
    due = chosen or (choices[0] if choices else date.min)
    return due, bool(stored.get("lessons")) and bool(choices) and due == choices[0]


async def _show_panel(message: Message, state: FSMContext, sheet: LessonSheet) -> None:
    """A fresh panel under the latest message; the previous one loses its buttons."""
    stored = await state.get_data()
    old = stored.get("panel")
    if isinstance(old, int) and message.bot is not None:
        with contextlib.suppress(TelegramBadRequest):
            await message.bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=old, reply_markup=None
            )
    text, keyboard = views.panel(_draft(sheet, stored))
    sent = await message.answer(text, reply_markup=keyboard)
    await state.update_data(panel=sent.message_id)


def _draft(sheet: LessonSheet, stored: dict[str, Any]) -> views.DraftView:
    due, next_lesson = _due(stored)
    return views.DraftView(
        sheet=sheet,
        text=str(stored.get("text") or ""),
        files=tuple(f.file_name for f in _files(stored)),
        pupils=_pupils(stored),
        due=due,
        next_lesson=next_lesson,
    )


async def _judged(message: Message, state: FSMContext, data: dict[str, Any]) -> LessonSheet | None:
    """The lesson of the draft, judged again; a refusal or a lost draft ends the draft."""
    slot = _slot((await state.get_data()).get("slot"))
    if slot is None:
        await state.clear()
        await message.answer(lesson_views.stale())
        return None
    try:
        return await _sheet(data, slot)
    except WriteRefused as refused:
        await state.clear()
        await message.answer(lesson_views.refusal(refused.refusal))
        return None


async def on_text(message: Message, state: FSMContext, **data: Any) -> None:
    sheet = await _judged(message, state, data)
    if sheet is None:
        return
    stored = await state.get_data()
    try:
        text = check_input(message.text or "", len(_files(stored)))
    except HomeworkInputError as wrong:
        await message.answer(views.problem(wrong.problem))
        return
    await state.update_data(text=text)
    await _show_panel(message, state, sheet)


async def on_file(message: Message, state: FSMContext, bot: Bot, **data: Any) -> None:
    sheet = await _judged(message, state, data)
    if sheet is None:
        return
    stored = await state.get_data()
    files = _files(stored)
    if len(files) >= FILES_LIMIT:
        await message.answer(views.problem(Problem.TOO_MANY_FILES))
        return
    store: FileStore = data["files"]
    try:
        kept = await _keep(bot, store, message)
    except FileTooLargeError:
        await message.answer(views.file_too_large(store.max_bytes))
        return
    if kept is None:
        await message.answer(views.file_failed())
        return
    text = str(stored.get("text") or "")
    if message.caption:
        # A caption labels its file; it adds to the text written so far.
        text = f"{text}\n{message.caption}" if text else message.caption
    try:
        text = check_input(text, len(files) + 1)
    except HomeworkInputError as wrong:
        await message.answer(views.problem(wrong.problem))
        return
    entry = [kept.storage_path, kept.file_name, kept.content_type, kept.size_bytes]
    await state.update_data(text=text, files=[*stored.get("files", []), entry])
    await _show_panel(message, state, sheet)


async def _keep(bot: Bot, store: FileStore, message: Message) -> StoredFile | None:
    """Download the message's photo or document into the store; None when it cannot be had."""
    kind: str | None
    if message.photo:
        photo = message.photo[-1]  # the largest size the messenger made
        file_id, size, name, kind = photo.file_id, photo.file_size, "photo.jpg", "image/jpeg"
    elif message.document:
        doc = message.document
        file_id, size, kind = doc.file_id, doc.file_size, doc.mime_type
        name = clean_name(doc.file_name, "document")
    else:
        return None
    store.check_size(size)
    content = io.BytesIO()
    try:
        await bot.download(file_id, destination=content)
    except (TelegramAPIError, NotImplementedError, OSError):
        # Gone or too old to fetch (a MAX link is known only to the process that got it).
        return None
    return await asyncio.to_thread(store.put, content.getvalue(), name, kind)


async def on_other(message: Message, **data: Any) -> None:
    await message.answer(views.not_a_file())


async def on_act(
    query: CallbackQuery, callback_data: HomeworkAct, state: FSMContext, **data: Any
) -> None:
    message = query.message
    stored = await state.get_data()
    if (
        not isinstance(message, Message)
        or await state.get_state() != HomeworkDraft.writing
        or stored.get("panel") != message.message_id
    ):
        await query.answer(lesson_views.stale(), show_alert=True)
        return
    slot = _slot(stored.get("slot"))
    try:
        sheet = await _sheet(data, slot) if slot is not None else None
    except WriteRefused as refused:
        await state.clear()
        await query.answer(lesson_views.refusal(refused.refusal), show_alert=True)
        return
    if sheet is None:
        await state.clear()
        await query.answer(lesson_views.stale(), show_alert=True)
        return
    act = callback_data.act
    if act == "cancel":
        await state.clear()
        await query.answer()
        await message.edit_text(views.cancelled())
        return
    if act == "save":
        await _save(query, message, state, sheet, stored, data)
        return
    if not await _choose(query, message, state, sheet, stored, callback_data):
        await query.answer(lesson_views.stale(), show_alert=True)


async def _choose(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    sheet: LessonSheet,
    stored: dict[str, Any],
    pressed: HomeworkAct,
) -> bool:
    """For whom and the due date: the panel turns into a list and back. False: a bad press."""
    act, pupils = pressed.act, _pupils(stored)
    if act == "pupil":
        pupil = sheet.pupil(pressed.arg)
        if pupil is None:
            return False
        chosen = [p for p in pupils or () if p != pupil.student_id]
        if pupil.student_id not in (pupils or ()):
            chosen.append(pupil.student_id)
        pupils = tuple(chosen) or None
        await state.update_data(pupils=list(pupils) if pupils else None)
    elif act == "all":
        pupils = None
        await state.update_data(pupils=None)
    elif act == "day":
        if pressed.arg not in (stored.get("choices") or []):
            return False
        await state.update_data(due=pressed.arg)
        stored = await state.get_data()
        act = "back"
    elif act not in ("who", "due", "back"):
        return False
    await query.answer()
    if act == "due":
        choices = tuple(d for o in stored.get("choices") or [] if (d := day_of(int(o))))
        due, _next = _due(stored)
        text, keyboard = views.due_keyboard(sheet, choices, bool(stored.get("lessons")), due)
    elif act == "back":
        text, keyboard = views.panel(_draft(sheet, stored))
    else:
        text, keyboard = views.pupils_keyboard(sheet, pupils)
    with contextlib.suppress(TelegramBadRequest):  # the same screen again
        await message.edit_text(text, reply_markup=keyboard)
    return True


async def _save(
    query: CallbackQuery,
    message: Message,
    state: FSMContext,
    sheet: LessonSheet,
    stored: dict[str, Any],
    data: dict[str, Any],
) -> None:
    store: FileStore = data["files"]
    files = [f for f in _files(stored) if store.path_of(f.storage_path) is not None]
    session: AsyncSession = data["session"]
    try:
        done = await assign_homework(
            session,
            data["reader"],
            sheet.slot,
            str(stored.get("text") or ""),
            files,
            pupils=_pupils(stored),
            due=day_of(int(stored.get("due") or 0)) if stored.get("due") else None,
            now=data["now"],
            today=data["today"],
        )
    except WriteRefused as refused:
        await state.clear()
        await query.answer(lesson_views.refusal(refused.refusal), show_alert=True)
        return
    except HomeworkInputError as wrong:
        await query.answer(views.problem(wrong.problem), show_alert=True)
        return
    # Committed before the replies: a failed reply must not take the homework with it.
    await session.commit()
    await state.clear()
    await query.answer()
    with contextlib.suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)
    await message.answer(views.saved(sheet, done))
