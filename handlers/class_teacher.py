"""``/class``: a class teacher's summary of each class they lead with the term's figures and
the pupils at risk (core.services.class_term), and the absences still without a reason (Б or
У per pupil and day, or back to Н: core.teaching.reasons)."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.policy import AccessDenied
from core.linking.dto import AccountView
from core.services.class_summary import class_summary, classes_led
from core.services.class_term import ClassTerm, class_term
from core.teaching.dto import WriteRefused
from core.teaching.reasons import absences_without_reason, set_day_reason
from handlers.callbacks import ClassPage, day_of
from handlers.family import not_available
from handlers.paging import answer_paged, edit_paged
from handlers.views import class_summary as views
from handlers.views.class_summary import summary_view


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_class, Command("class"))
    r.callback_query.register(on_reasons, views.ReasonTap.filter())
    r.callback_query.register(on_page, ClassPage.filter())
    return r


async def on_class(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or account.staff_id is None:
        await message.answer(_("This is for class teachers."))
        return
    led = await classes_led(data["session"], account.staff_id)
    if not led:
        await message.answer(_("You do not lead a class."))
        return
    for class_id, _name in led:
        try:
            text = await _summary_text(class_id, data)
        except AccessDenied:
            await message.answer(not_available())
            continue
        # Paged, never cut: each page is built again, access checked again (on_page).
        below = views.reasons_button(class_id).inline_keyboard
        await answer_paged(message, text, ClassPage(cls=class_id), below)


async def on_page(query: CallbackQuery, callback_data: ClassPage, **data: Any) -> None:
    """Another page of a class's summary: the class must still be one the account leads."""
    account: AccountView | None = data["account"]
    text = None
    if account is not None and account.staff_id is not None:
        led = await classes_led(data["session"], account.staff_id)
        if callback_data.cls in {class_id for class_id, _name in led}:
            with contextlib.suppress(AccessDenied):
                text = await _summary_text(callback_data.cls, data)
    if text is None:
        await query.answer(not_available(), show_alert=True)
        return
    below = views.reasons_button(callback_data.cls).inline_keyboard
    await edit_paged(query, text, callback_data, below)


async def _summary_text(class_id: int, data: dict[str, Any]) -> str:
    """The whole summary of a class; AccessDenied propagates (the term block alone may be
    refused: the summary stands without it)."""
    session, today, reader = data["session"], data["today"], data["reader"]
    summary = await class_summary(session, class_id, today, reader)
    term: ClassTerm | None = None
    with contextlib.suppress(AccessDenied):
        term = await class_term(session, class_id, today, reader)
    return summary_view(summary, term)


async def on_reasons(query: CallbackQuery, callback_data: views.ReasonTap, **data: Any) -> None:
    """The list of a class's days without a reason, or a reason for a pupil's day; judged by
    the core on every press (the class, the pupil, the window), never by the button."""
    message = query.message
    session: AsyncSession = data["session"]
    today = data["today"]
    day = day_of(callback_data.day) if callback_data.st else today
    code = views.REASON_CHOICES.get(callback_data.code) if callback_data.st else None
    if not isinstance(message, Message) or day is None or (callback_data.st and code is None):
        await query.answer(not_available(), show_alert=True)
        return
    since = today - timedelta(days=views.LIST_DAYS)
    try:
        done = None
        if code is not None:
            done = await set_day_reason(
                session, data["reader"], callback_data.st, day, code, today=today
            )
            await session.commit()  # durable before the replies (see handlers/lesson.py)
        days = await absences_without_reason(
            session, data["reader"], callback_data.cls, since, today
        )
    except WriteRefused as refused:
        await query.answer(views.reason_refused(refused.refusal), show_alert=True)
        return
    await query.answer()
    text, keyboard = views.reasons_list(callback_data.cls, days, since)
    if done is None:
        await message.answer(text, reply_markup=keyboard)
        return
    said, undo = views.reason_set(callback_data.cls, done)
    if undo is None:  # back to Н, pressed under the confirmation
        await message.edit_text(said)
        return
    with contextlib.suppress(TelegramBadRequest):  # the list may be unchanged
        await message.edit_text(text, reply_markup=keyboard)
    await message.answer(said, reply_markup=undo)
