"""Linking an account: a code from the school or the user's own phone, after consent.

A code or phone that arrives before the personal-data consent waits in the FSM state and is
used once the user agrees; nothing is linked or kept when they decline.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.linking.accounts import ensure_account, load_account, record_consent
from core.linking.dto import AccountView
from core.linking.phone import link_by_phone
from core.linking.redeem import redeem_code
from core.models.enums import Messenger
from handlers.callbacks import ConsentAnswer
from handlers.labels import messenger_name
from handlers.menu import main_keyboard
from handlers.states import Linking
from handlers.views import linking as views


def router() -> Router:
    r = Router(name=__name__)
    r.message.register(on_contact, F.contact)
    r.callback_query.register(on_consent, ConsentAnswer.filter())
    return r


async def start_link(
    message: Message,
    state: FSMContext,
    data: dict[str, Any],
    *,
    code: str | None = None,
    phone: str | None = None,
) -> None:
    """Link with ``code`` or ``phone`` now, or after consent when it has not been given yet."""
    account: AccountView | None = data["account"]
    if account is None or not account.consent_given:
        await state.set_state(Linking.awaiting_consent)
        await state.set_data({"code": code, "phone": phone})
        text, keyboard = views.consent_request(messenger_name(data["messenger"]))
        await message.answer(text, reply_markup=keyboard)
        return
    await _link(message, data, code=code, phone=phone)


async def _link(
    message: Message, data: dict[str, Any], *, code: str | None, phone: str | None
) -> None:
    session: AsyncSession = data["session"]
    messenger: Messenger = data["messenger"]
    now: datetime = data["now"]
    today: date = data["today"]
    timezone: ZoneInfo = data["timezone"]
    # Private chats only (the guard sees to it), where the chat id is the user's id; the
    # message may be the bot's own (after a consent press), so its sender is not the user.
    user_key, chat_key = str(message.chat.id), str(message.chat.id)
    # A school's own bot links that school's people only (bot/school_bots.py).
    bot, school_id = data["bot_key"], data["bot_school_id"]
    if code is not None:
        result = await redeem_code(
            session, messenger, user_key, chat_key, code, now, today, bot=bot, school_id=school_id
        )
    elif phone is not None:
        result = await link_by_phone(
            session, messenger, user_key, chat_key, phone, now, today, bot=bot, school_id=school_id
        )
    else:
        return
    account = await load_account(session, messenger, user_key, today, bot=bot)
    await message.answer(
        views.link_result(result, timezone, now), reply_markup=main_keyboard(account)
    )


async def on_contact(message: Message, state: FSMContext, **data: Any) -> None:
    contact = message.contact
    sender = message.from_user
    own = (
        contact is not None
        and sender is not None
        and contact.user_id == sender.id
        and message.forward_origin is None
    )
    if not own or contact is None:
        await message.answer(views.foreign_contact(), reply_markup=main_keyboard(data["account"]))
        return
    await start_link(message, state, data, phone=contact.phone_number)


async def on_consent(
    query: CallbackQuery, callback_data: ConsentAnswer, state: FSMContext, **data: Any
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    pending = await state.get_data() if await state.get_state() == Linking.awaiting_consent else {}
    await state.clear()
    await query.answer()
    await message.edit_reply_markup(reply_markup=None)
    if not callback_data.agree:
        await message.answer(views.consent_declined(), reply_markup=main_keyboard(None))
        return
    session: AsyncSession = data["session"]
    account_id = await ensure_account(
        session,
        data["messenger"],
        str(query.from_user.id),
        str(message.chat.id),
        data["now"],
        locale=_telegram_locale(query.from_user.language_code),
        bot=data["bot_key"],
    )
    await record_consent(session, account_id, data["now"])
    code, phone = pending.get("code"), pending.get("phone")
    if code is None and phone is None:
        account = await load_account(
            session, data["messenger"], str(query.from_user.id), data["today"], bot=data["bot_key"]
        )
        await message.answer(views.welcome(), reply_markup=main_keyboard(account))
        return
    await _link(message, data, code=code, phone=phone)


def _telegram_locale(language_code: str | None) -> str | None:
    language = (language_code or "").split("-")[0].lower()
    return language if language in ("ru", "en") else None
