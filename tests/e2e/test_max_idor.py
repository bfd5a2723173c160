"""IDOR on MAX: forged button payloads reveal nothing of another family's child.

MAX lets a payload be 1,024 characters (Telegram's callback data: 64), so the forgeries here
include long ones. Every kind of button the bot makes is forged with another family's child,
another thread, another announcement, and garbage; the real adapter (bot.max) long-polls the
fake MAX with the production dispatcher, only its per-user throttle raised so that every
forgery reaches the handlers.
"""

from __future__ import annotations

import asyncio
import typing
from dataclasses import replace

from aiogram.filters.callback_data import CallbackData
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from bot.runtime import adapters_from, config_from
from bot.settings import Settings
from core.clock import FrozenClock
from core.models import Account
from core.models.enums import Messenger
from handlers import callbacks
from tests.bot import school
from tests.bot.helpers import student_id
from tests.fake_max import FakeMax
from tests.notify.families import link_account, processed_everything

PAVEL = 20  # father of Дмитрий only
SECRETS = ("Анна", "Иванова", "Борис", "Ольга")


def forgeries(anna: int, boris: int) -> list[str]:
    """Every callback kind of the bot, aimed at the Ивановы's children, plus garbage."""
    forged: list[str] = []
    kinds = [
        value
        for value in vars(callbacks).values()
        if isinstance(value, type)
        and issubclass(value, CallbackData)
        and value is not CallbackData
        # His own logout is his to confirm, however the press was made: not another's data.
        and value is not callbacks.ConfirmLogout
    ]
    for kind in kinds:
        hints = typing.get_type_hints(kind)
        for target in (anna, boris, 1, 999_999):
            values: dict[str, object] = {}
            for name, field in kind.model_fields.items():
                hint = hints.get(name, field.annotation)
                if hint is int or hint == int | None:
                    values[name] = target
                elif hint is bool:
                    values[name] = True
                else:
                    values[name] = "teacher" if name == "role" else "x"
            forged.append(kind(**values).pack())
    forged += ["", ":", "ch1:", "ch1:" + "9" * 1000, "x" * 1024, "th1:1:open:" + "0" * 900]
    return forged


async def test_forged_payloads_on_max_reveal_nothing(
    db_url: str, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await processed_everything(sessions, school.NOW)
    await link_account(sessions, PAVEL, "G2", locale="ru", messenger=Messenger.MAX)
    anna, boris = await student_id(sessions, "S1"), await student_id(sessions, "S2")
    forged = forgeries(anna, boris)
    assert len(forged) > 90
    async with FakeMax() as mx:
        settings = Settings(
            max_bot_token=mx.default_token,  # type: ignore[arg-type]
            max_api_url=mx.base_url,  # type: ignore[arg-type]
            database_url=db_url,
        )
        config = replace(config_from(settings), throttle_rate=10_000.0, throttle_burst=10_000)
        adapters = adapters_from(settings, config, sessions, clock, create_i18n("ru"))
        receiver = adapters.max
        assert receiver is not None
        polling = asyncio.create_task(receiver.poll())
        try:
            pavel = mx.user(PAVEL, "Павел")
            await mx.send_text(pavel, "/marks")
            [target] = await mx.wait_for(pavel, timeout=15)
            assert "Дмитрий" in (target.plain_text or "")
            for payload in forged:
                await mx.press(pavel, target, payload, strict=False)
            for _ in range(100):
                if not mx.pending_updates:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.3)
            await receiver.drain(timeout=30)
        finally:
            polling.cancel()
            await asyncio.gather(polling, return_exceptions=True)
            await receiver.bot.session.close()
        shown = [
            f"{s.text or ''} {s.notification or ''}" for s in mx.sent if s.user_id in (PAVEL, None)
        ]
        assert len(shown) > 10  # the forgeries were answered (alerts, pages of his own son)
        for text in shown:
            assert not any(secret in text for secret in SECRETS), text
        assert not [f for f in mx.failures if f.status >= 500]
    async with sessions() as session:
        account = (await session.execute(select(Account))).scalar_one()
    assert account.current_student_id in (None, await student_id(sessions, "S3"))
