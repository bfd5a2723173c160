"""``/settings``: notification preferences of the account, changed with a press."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from core.linking.dto import AccountView
from core.preferences import BadPreference, change_preference, load_preferences
from handlers.callbacks import SettingsChoice
from handlers.family import nobody_to_show, not_available
from handlers.menu import main_keyboard
from handlers.office_hours import show_hours
from handlers.views.settings import settings_view


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_settings, Command("settings"))
    r.callback_query.register(on_choice, SettingsChoice.filter())
    return r


async def on_settings(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.linked:
        await message.answer(nobody_to_show(account), reply_markup=main_keyboard(account))
        return
    text, keyboard = settings_view(
        await load_preferences(data["session"], account.account_id),
        guardian=bool(account.guardian_ids),
    )
    await message.answer(text, reply_markup=keyboard)
    await show_hours(message, account, data)


async def on_choice(query: CallbackQuery, callback_data: SettingsChoice, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.linked or not isinstance(query.message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    try:
        await change_preference(
            data["session"], account.account_id, callback_data.key, callback_data.value
        )
    except BadPreference:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    text, keyboard = settings_view(
        await load_preferences(data["session"], account.account_id),
        guardian=bool(account.guardian_ids),
    )
    await query.message.edit_text(text, reply_markup=keyboard)
