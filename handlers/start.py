"""``/start`` with or without a code (the deep link ``t.me/<bot>?start=<code>`` lands here)."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from core.linking.dto import AccountView
from handlers.linking import start_link
from handlers.menu import main_keyboard
from handlers.views import linking as views


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_start, CommandStart())
    return r


async def on_start(
    message: Message, command: CommandObject, state: FSMContext, **data: Any
) -> None:
    account: AccountView | None = data["account"]
    code = (command.args or "").strip()
    if code:
        await start_link(message, state, data, code=code)
        return
    if account is not None and account.linked:
        await message.answer(views.linked_summary(account), reply_markup=main_keyboard(account))
        return
    await message.answer(views.welcome(), reply_markup=main_keyboard(account))
