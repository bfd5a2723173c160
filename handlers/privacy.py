"""``/privacy`` says what is stored and why; ``/logout`` unlinks and deletes it (152-FZ)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _

from core.linking.accounts import forget_account
from core.linking.dto import AccountView
from handlers.callbacks import ConfirmLogout
from handlers.labels import messenger_name
from handlers.menu import BUTTON_PRIVACY


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_privacy, Command("privacy"))
    r.message.register(on_privacy, F.text == BUTTON_PRIVACY)
    r.message.register(on_logout, Command("logout"))
    r.callback_query.register(on_confirm, ConfirmLogout.filter())
    return r


def privacy_text(messenger: str) -> str:
    """What is stored; ``messenger`` names the user's messenger ("Telegram", "MAX")."""
    what = _(
        "<b>What I store and why</b>\n"
        "• Your {messenger} id and chat id: to know who writes and where to send notifications.\n"
        "• Which guardian, student or staff record of the school your account is linked to, and "
        "how it was verified (a code from the school or your own phone number): so that you see "
        "only the children you are entitled to see.\n"
        "• Your language, the selected child and notification settings.\n"
        "• When you gave consent, and failed linking attempts (for one hour): to stop "
        "code guessing.\n"
        "• An audit record each time a child's data is read (who, whose, what, when): the law "
        "requires it, and it is kept after /logout without your {messenger} data.\n\n"
        "The journal data itself belongs to the school, which is the operator of personal data "
        "under Federal Law No. 152-FZ. I never show it in group chats.\n"
        "/logout unlinks your account and deletes what I keep about this chat."
    )
    mail = _(
        "Messages you write to the school (/ask) and its answers, with their files, are the "
        "school's record of the conversation, like a letter: they stay after /logout, no "
        "longer tied to your {messenger} account. The bot never shows your phone number or "
        "{messenger} account to the staff, nor theirs to you."
    )
    return f"{what}\n\n{mail}".format(messenger=messenger)


async def on_privacy(message: Message, **data: Any) -> None:
    await message.answer(privacy_text(messenger_name(data["messenger"])))


async def on_logout(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None:
        await message.answer(_("I keep nothing about this chat."))
        return
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Yes, unlink and delete"),
                    callback_data=ConfirmLogout(confirm=True).pack(),
                ),
                InlineKeyboardButton(
                    text=_("Cancel"), callback_data=ConfirmLogout(confirm=False).pack()
                ),
            ]
        ]
    )
    await message.answer(
        _(
            "Unlink your account from the school journal and delete your settings? "
            "You can link again later with a code or your phone number."
        ),
        reply_markup=keyboard,
    )


async def on_confirm(
    query: CallbackQuery, callback_data: ConfirmLogout, state: FSMContext, **data: Any
) -> None:
    account: AccountView | None = data["account"]
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    await message.edit_reply_markup(reply_markup=None)
    if not callback_data.confirm:
        await message.answer(_("Nothing changed."))
        return
    if account is not None:
        await forget_account(data["session"], account.account_id, data["now"])
    await state.clear()
    await message.answer(
        _("Done: your account is unlinked and your data in this chat is deleted. Goodbye!"),
        reply_markup=ReplyKeyboardRemove(),
    )
