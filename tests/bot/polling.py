"""``journal run`` in the test's own loop, long-polling a fake Bot API: the real runtime,
middlewares, routers and notifier, with the test's clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot import runtime
from bot.settings import Settings
from core.clock import Clock
from tests.fake_telegram import FakeTelegram


@contextlib.asynccontextmanager
async def polling_bot(
    db_url: str, clock: Clock, *, poll_seconds: float = 0.5
) -> AsyncIterator[FakeTelegram]:
    """The fake Telegram the running bot talks to; the bot stops when the block ends."""
    async with FakeTelegram() as tg:
        settings = Settings(
            bot_token=tg.default_token,  # type: ignore[arg-type]
            bot_api_url=tg.base_url,  # type: ignore[arg-type]
            database_url=db_url,
            notifier_poll_seconds=poll_seconds,
        )
        task = asyncio.create_task(runtime.run(settings, clock, handle_signals=False))
        try:
            yield tg
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if not task.cancelled() and task.exception() is not None:
                raise AssertionError("journal run failed") from task.exception()
