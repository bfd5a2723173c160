"""``journal run`` as a process with both tokens: it answers in Telegram and in MAX, publishes
MAX's command menu, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

from tests.fake_max import FakeMax
from tests.fake_telegram import FakeTelegram
from tests.forkserver import PIPE, spawn

ROOT = Path(__file__).resolve().parents[2]


async def test_journal_run_serves_both_messengers_and_stops_on_sigterm(db_url: str) -> None:
    async with FakeTelegram() as tg, FakeMax() as mx:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("BOT_", "WEBHOOK_", "MAX_"))
            },
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": tg.default_token,
            "BOT_API_URL": tg.base_url,
            "MAX_BOT_TOKEN": mx.default_token,
            "MAX_API_URL": mx.base_url,
            "DATABASE_URL": db_url,
        }
        process = await spawn("bot", "run", env=env, cwd=ROOT, stdout=PIPE, stderr=PIPE)
        try:
            on_telegram = tg.user(70, "Guest", language_code="en")
            on_max = mx.user(71, "Гость", language="en")
            await tg.send_text(on_telegram, "/help")
            await mx.send_text(on_max, "/help")
            [telegram_answer] = await tg.wait_for(on_telegram, timeout=60)
            [max_answer] = await mx.wait_for(on_max, timeout=60)
            assert "What I can do" in (telegram_answer.text or "")
            assert "What I can do" in (max_answer.plain_text or "")
            assert {c["name"] for c in mx.commands} >= {"start", "marks", "ask", "logout"}
            process.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
            assert process.returncode == 0, err.decode()
            assert mx.default_token not in err.decode()  # the token is never logged
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
