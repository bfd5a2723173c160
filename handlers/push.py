"""The "Show details" button under a minimal push: the full text, after a fresh access check.

The button carries nothing. The push is found by the message it is under and the account that
pressed it (deliveries record the message id), and each item about a student is shown only if
the account may still read it today: a link removed since, or a child who left, hides it.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from core.access.permissions import Permission
from core.access.policy import readable
from core.linking.dto import AccountView
from core.models.enums import PrivacyLevel
from core.notify.content import PushItem, push_items
from core.notify.deliveries import sent_with_message
from core.notify.kinds import ITEM_PERMISSION
from handlers.callbacks import PushDetails
from handlers.family import not_available
from handlers.views.push import push_text


def router() -> Router:
    r = Router(name=__name__)
    r.callback_query.register(on_details, PushDetails.filter())
    return r


async def on_details(query: CallbackQuery, **data: Any) -> None:
    account: AccountView | None = data["account"]
    message = query.message
    if account is None or not account.linked or not isinstance(message, Message):
        await query.answer(not_available(), show_alert=True)
        return
    session = data["session"]
    ids = await sent_with_message(session, account.account_id, str(message.message_id))
    items = await _still_readable(
        data, await push_items(session, account.account_id, ids, data["now"], label="details")
    )
    if not items:
        await query.answer(not_available(), show_alert=True)
        return
    await query.answer()
    await message.edit_text(push_text(items, PrivacyLevel.FULL), reply_markup=None)


async def _still_readable(data: dict[str, Any], items: list[PushItem]) -> list[PushItem]:
    """The items the reader may still read: one access check per permission, not per item."""
    students: dict[Permission, set[int]] = {}
    for item in items:
        permission = ITEM_PERMISSION.get(item.kind)
        if item.student_id is not None and permission is not None:
            students.setdefault(permission, set()).add(item.student_id)
    allowed = {
        permission: await readable(data["session"], data["reader"], permission, ids)
        for permission, ids in students.items()
    }
    return [
        item
        for item in items
        if item.student_id is None
        or item.student_id in allowed.get(ITEM_PERMISSION[item.kind], frozenset())
    ]
