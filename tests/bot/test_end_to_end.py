"""End to end: the real aiogram client long-polls a local fake Bot API server over HTTP.

In-process runs use a frozen clock (the tiny school's Monday); the SIGTERM test runs the real
``journal run`` process, whose answers here do not depend on the date.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runtime
from bot.settings import Settings
from core.clock import FrozenClock
from tests.bot import school
from tests.bot.helpers import AGREE, invite
from tests.fake_telegram.records import Sent
from tests.fake_telegram.server import FakeTelegram
from tests.forkserver import PIPE, spawn

ROOT = Path(__file__).resolve().parents[2]


def message(sent: Sent) -> bool:
    return sent.method == "sendMessage"


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture
async def running_bot(
    telegram: FakeTelegram,
    db_url: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
) -> AsyncIterator[FakeTelegram]:
    settings = Settings(
        bot_token=telegram.default_token,  # type: ignore[arg-type]
        bot_api_url=telegram.base_url,  # type: ignore[arg-type]
        database_url=db_url,
    )
    task = asyncio.create_task(runtime.run(settings, clock, handle_signals=False))
    try:
        yield telegram
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_guardian_links_by_code_over_real_polling(
    running_bot: FakeTelegram, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tg = running_bot
    olga = tg.user(10, "Ольга")
    await tg.send_text(olga, f"/start {await invite(sessions, 'G1')}")
    [consent] = await tg.wait_for(lambda s: message(s) and s.chat_id == olga.id, timeout=15)
    assert "152-ФЗ" in (consent.text or "")
    await tg.press(olga, consent, AGREE)
    [linked] = await tg.wait_for(lambda s: message(s) and s.chat_id == olga.id, timeout=15)
    assert "Анна Иванова, 7А" in (linked.text or "")
    assert "Борис Иванов, 5Б" in (linked.text or "")
    assert tg.callback_answers  # the button press was answered
    # The command menu was published per language at start-up.
    private = {"type": "all_private_chats"}
    assert {c["command"] for c in tg.commands(private, "ru")} >= {"start", "marks", "logout"}
    assert (
        tg.commands(private, "en")[0]["description"] != tg.commands(private, "ru")[0]["description"]
    )


async def test_own_phone_links_and_a_foreign_contact_is_refused_over_real_polling(
    running_bot: FakeTelegram,
) -> None:
    tg = running_bot
    dmitry, mallory = tg.user(40, "Дмитрий"), tg.user(66, "Мэллори")

    await tg.share_contact(mallory, school.DMITRY_PHONE, contact_user_id=40)
    [refused] = await tg.wait_for(lambda s: message(s) and s.chat_id == mallory.id, timeout=15)
    assert "только ваш собственный" in (refused.text or "")
    await tg.share_contact(mallory, school.DMITRY_PHONE, forwarded_from=dmitry)
    [refused] = await tg.wait_for(lambda s: message(s) and s.chat_id == mallory.id, timeout=15)
    assert "Дмитрий" not in (refused.text or "")

    await tg.share_contact(dmitry, "8 (922) 000-00-12")
    [consent] = await tg.wait_for(lambda s: message(s) and s.chat_id == dmitry.id, timeout=15)
    await tg.press(dmitry, consent, AGREE)
    [linked] = await tg.wait_for(lambda s: message(s) and s.chat_id == dmitry.id, timeout=15)
    assert "Дмитрий Петров, 7А" in (linked.text or "")
    assert not tg.failures  # Telegram accepted every call: HTML, lengths, callback data


async def test_journal_run_polls_answers_and_stops_cleanly_on_sigterm(
    telegram: FakeTelegram, db_url: str
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": telegram.default_token,
        "BOT_API_URL": telegram.base_url,
        "DATABASE_URL": db_url,
    }
    process = await spawn("bot", "run", env=env, cwd=ROOT, stdout=PIPE, stderr=PIPE)
    try:
        user = telegram.user(70, "Гость", language_code="en")
        await telegram.send_text(user, "/help")
        [answer] = await telegram.wait_for(lambda s: s.chat_id == user.id, timeout=60)
        assert "What I can do" in (answer.text or "")
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, err.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
