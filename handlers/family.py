"""Whose data a family member is looking at: the remembered child, or the one a button names.

A button's child id is only a wish; the core's access policy decides on every read. This module
only picks the default and says so when there is nobody to show.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from core.linking.dto import AccountView, ChildRef
from handlers.menu import main_keyboard


def child_in_focus(account: AccountView | None, wanted: int | None = None) -> ChildRef | None:
    if account is None:
        return None
    target = wanted if wanted is not None else account.current_student_id
    return next((c for c in account.children if c.student_id == target), None)


def nobody_to_show(account: AccountView | None) -> str:
    if account is None or not account.linked:
        return _("First link your account: /start shows how.")
    return _("No child is linked to your account. /start shows how to link one.")


def not_available() -> str:
    return _("This information is not available to you.")


async def focus_or_explain(message: Message, data: dict[str, Any]) -> ChildRef | None:
    """The child in focus; without one, tell the user how to link and return None."""
    account: AccountView | None = data["account"]
    child = child_in_focus(account)
    if child is None:
        await message.answer(nobody_to_show(account), reply_markup=main_keyboard(account))
    return child
