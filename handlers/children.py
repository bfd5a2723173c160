"""``/child``: a guardian of several children picks whose journal they are looking at.

The pressed button's student id is only a wish: ``select_child`` re-checks it against the
account's verified links on today's date before anything changes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from core.linking.accounts import select_child
from core.linking.dto import AccountView
from handlers.callbacks import PickChild
from handlers.menu import BUTTON_CHILDREN, main_keyboard
from handlers.views.formatting import child_line


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_children, Command("child"))
    r.message.register(on_children, F.text == BUTTON_CHILDREN)
    r.callback_query.register(on_pick, PickChild.filter())
    return r


def _keyboard(account: AccountView) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=("✅ " if child.student_id == account.current_student_id else "")
                + f"{child.name}"
                + (f", {child.class_name}" if child.class_name else ""),
                callback_data=PickChild(student_id=child.student_id).pack(),
            )
        ]
        for child in account.children
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_children(message: Message, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None or not account.children:
        await message.answer(
            _("No children are linked to your account yet. /start shows how to link."),
            reply_markup=main_keyboard(account),
        )
        return
    await message.answer(_("Whose journal do you want to see?"), reply_markup=_keyboard(account))


async def on_pick(query: CallbackQuery, callback_data: PickChild, **data: Any) -> None:
    account: AccountView | None = data["account"]
    allowed = account is not None and await select_child(
        data["session"], account.account_id, callback_data.student_id, data["today"]
    )
    if account is None or not allowed:
        await query.answer(_("This child is not available to you."), show_alert=True)
        return
    # select_child accepted only a child of this account, so the account lists it.
    chosen = next(c for c in account.children if c.student_id == callback_data.student_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _("Now showing: {child}").format(child=child_line(chosen)),
            reply_markup=_keyboard(replace(account, current_student_id=chosen.student_id)),
        )
