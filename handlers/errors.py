"""Any failure in a handler: a short apology in the user's language, one log line, no data.

The log line carries the update id and the exception's type and traceback frames, never its
message or local values: those may hold a child's name or a phone number.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.linking.dto import AccountView
from handlers.labels import N_

logger = logging.getLogger(__name__)

# What a database that is down or restarting raises on the way through SQLAlchemy or before it.
DATABASE_DOWN = (OperationalError, DBAPIError, PoolTimeout, ConnectionError, OSError)


def router() -> Router:
    r = Router(name=__name__)
    r.errors.register(on_error)
    return r


def database_down(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
        # An integrity or data error is our bug, not an outage.
        return isinstance(exc, OperationalError) or "connect" in type(exc.orig).__name__.lower()
    return isinstance(exc, DATABASE_DOWN)


async def on_error(event: ErrorEvent, bot: Bot, **data: Any) -> bool:
    exc = event.exception
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("update %s failed: %s\n%s", event.update.update_id, type(exc).__name__, frames)
    chat_id, language = _chat_of(event)
    if chat_id is None:
        return True
    i18n: I18n | None = data.get("i18n") or I18n.get_current(no_error=True)
    down = database_down(exc)
    text = (
        N_("The journal is temporarily unavailable. Please try again in a minute.")
        if down
        else N_("Sorry, something went wrong. Please try again.")
    )
    account: AccountView | None = data.get("account")
    if account is not None and account.locale:
        language = account.locale
    if i18n is not None:
        locale = language if language in i18n.available_locales else i18n.default_locale
        text = i18n.gettext(text, locale=locale)
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError:
        logger.warning("could not tell update %s about the failure", event.update.update_id)
    return True


def _chat_of(event: ErrorEvent) -> tuple[int | None, str | None]:
    update = event.update
    if update.message is not None and update.message.from_user is not None:
        return update.message.chat.id, update.message.from_user.language_code
    if update.callback_query is not None and update.callback_query.message is not None:
        query = update.callback_query
        return query.message.chat.id, query.from_user.language_code  # type: ignore[union-attr]
    return None, None
