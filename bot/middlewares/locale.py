"""The reader's language: the account's choice, else Telegram's ``language_code``, else default."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18nMiddleware

from core.linking.dto import AccountView


class AccountLocaleMiddleware(I18nMiddleware):
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        account: AccountView | None = data.get("account")
        if account is not None and account.locale in self.i18n.available_locales:
            return str(account.locale)
        user: User | None = data.get("event_from_user")
        if user is not None and user.language_code:
            language = user.language_code.split("-")[0].lower()
            if language in self.i18n.available_locales:
                return language
        return self.i18n.default_locale
