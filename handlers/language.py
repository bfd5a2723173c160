"""``/language``: the reader's language, remembered on the account."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from core.linking.accounts import ensure_account, load_account, set_locale
from handlers.callbacks import PickLanguage
from handlers.menu import BUTTON_LANGUAGE, main_keyboard

# Each language named in itself, so a reader who cannot read the current one still finds theirs.
LANGUAGES = {"ru": "Русский", "en": "English"}


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_language, Command("language"))
    r.message.register(on_language, F.text == BUTTON_LANGUAGE)
    r.callback_query.register(on_pick, PickLanguage.filter(F.locale.in_(LANGUAGES)))
    return r


async def on_language(message: Message, **_data: Any) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=name, callback_data=PickLanguage(locale=code).pack())
                for code, name in LANGUAGES.items()
            ]
        ]
    )
    await message.answer(_("Choose your language:"), reply_markup=keyboard)


async def on_pick(
    query: CallbackQuery, callback_data: PickLanguage, i18n: I18n, **data: Any
) -> None:
    chat_id = query.message.chat.id if query.message else query.from_user.id
    user_key, bot = str(query.from_user.id), data["bot_key"]
    account_id = await ensure_account(
        data["session"], data["messenger"], user_key, str(chat_id), data["now"], bot=bot
    )
    await set_locale(data["session"], account_id, callback_data.locale)
    account = await load_account(
        data["session"], data["messenger"], user_key, data["today"], bot=bot
    )
    with i18n.use_locale(callback_data.locale):
        await query.answer()
        await query.bot.send_message(  # type: ignore[union-attr]
            chat_id, _("The language is now English."), reply_markup=main_keyboard(account)
        )
