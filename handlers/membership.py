"""The user blocked or unblocked the bot in their private chat: stop or resume pushes."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated

from core.linking.accounts import ensure_account, mark_inactive
from core.linking.dto import AccountView


def router() -> Router:
    r = Router(name=__name__)
    r.my_chat_member.register(on_member, F.chat.type == ChatType.PRIVATE)
    return r


async def on_member(update: ChatMemberUpdated, **data: Any) -> None:
    account: AccountView | None = data["account"]
    if account is None:
        return
    if update.new_chat_member.status == ChatMemberStatus.KICKED:
        await mark_inactive(data["session"], account.account_id)
    elif update.new_chat_member.status == ChatMemberStatus.MEMBER:
        await ensure_account(
            data["session"],
            data["messenger"],
            str(update.from_user.id),
            str(update.chat.id),
            data["now"],
            bot=data["bot_key"],
        )
