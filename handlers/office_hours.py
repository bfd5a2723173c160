"""A staff member's office hours in ``/settings``: presets, or typed ("пн-пт 08:00-18:00").

Questions sent outside office hours wait for the next opening; the family is told when.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from core.linking.dto import AccountView
from core.messaging.hours import BadHours, format_hours, hours_of, set_hours
from handlers.callbacks import OfficeHoursChoice
from handlers.family import not_available
from handlers.states import Hours
from handlers.views import office_hours as views
from handlers.views.formatting import current_locale

# Presets offered as buttons: value → the spec stored.
PRESETS = {"default": "default", "weekdays": "пн-пт 09:00-17:00", "always": "always"}


def router() -> Router:
    r = Router(name=__name__)
    r.callback_query.register(on_choice, OfficeHoursChoice.filter())
    r.message.register(on_typed, Hours.typing, F.text & ~F.text.startswith("/"))
    return r


async def show_hours(message: Message, account: AccountView, data: dict[str, Any]) -> None:
    """The office hours part of /settings, for staff."""
    if account.staff_id is None:
        return
    hours = (await hours_of(data["session"], (account.staff_id,)))[account.staff_id]
    text, keyboard = views.hours_view(format_hours(hours, current_locale()))
    await message.answer(text, reply_markup=keyboard)


async def on_choice(
    query: CallbackQuery, callback_data: OfficeHoursChoice, state: FSMContext, **data: Any
) -> None:
    account: AccountView | None = data["account"]
    message = query.message
    if account is None or account.staff_id is None or not isinstance(message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    if callback_data.value == "custom":
        await state.set_state(Hours.typing)
        await query.answer()
        await message.answer(views.type_prompt())
        return
    spec = PRESETS.get(callback_data.value)
    if spec is None:
        await query.answer(not_available(), show_alert=True)
        return
    hours = await set_hours(data["session"], account.staff_id, spec, by="chat")
    await query.answer()
    text, keyboard = views.hours_view(format_hours(hours, current_locale()))
    await message.edit_text(text, reply_markup=keyboard)


async def on_typed(message: Message, state: FSMContext, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or account.staff_id is None:
        await state.clear()
        await message.answer(not_available())
        return
    try:
        hours = await set_hours(data["session"], account.staff_id, message.text or "", by="chat")
    except BadHours as bad:
        await message.answer(views.bad_hours(bad))
        return
    await state.clear()
    text, keyboard = views.hours_view(format_hours(hours, current_locale()))
    await message.answer(text, reply_markup=keyboard)
