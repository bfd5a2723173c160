"""``/class``: a class teacher's summary of the class they lead."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from core.access.policy import AccessDenied
from core.linking.dto import AccountView
from core.services.class_summary import class_summary, classes_led
from handlers.family import not_available
from handlers.views.class_summary import summary_view


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_class, Command("class"))
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
            summary = await class_summary(data["session"], class_id, data["today"], data["reader"])
        except AccessDenied:
            await message.answer(not_available())
            continue
        await message.answer(summary_view(summary))
