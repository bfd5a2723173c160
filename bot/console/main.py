"""``journal console``: the demo school (loaded when the database is empty) in a terminal."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import BotConfig, create_dispatcher
from bot.console.chat import Console
from bot.console.personas import PersonaNotFoundError, find_persona
from bot.settings import Settings
from core.clock import Clock, TravelClock, school_today
from core.db import create_engine, create_sessionmaker
from core.exchange import service
from core.models import School
from core.models.enums import Messenger


async def stdin_lines(prompt: str = "you> ") -> AsyncIterator[str]:
    while True:
        if sys.stdin.isatty():
            pass
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:  # end of input: Ctrl-D, or a closed pipe
            return
        yield line


async def load_demo_if_empty(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> bool:
    async with sessions() as session:
        if (await session.execute(select(School.id).limit(1))).first() is not None:
            return False
    from core.demo import generate  # imported late: only an empty database needs it

    today = school_today(clock, settings.timezone)
    await service.import_rows(sessions, generate(seed=1, today=today), now=clock.now(), today=today)
    return True


async def run_console(
    settings: Settings,
    person: str | None,
    *,
    lines: AsyncIterator[str] | None = None,
    out: Callable[[str], None] = print,
    clock: Clock | None = None,
) -> int:
    clock = clock or TravelClock()
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    try:
        out("console> preparing the school journal…")
        if await load_demo_if_empty(sessions, clock, settings):
            out("console> the database was empty: the demo school is loaded")
        try:
            async with sessions() as session:
                persona = await find_persona(session, person)
        except PersonaNotFoundError:
            out(f"console> nobody with the id {person} in the school's data")
            return 2
        config = BotConfig(
            timezone=settings.timezone,
            default_locale=settings.default_locale,
            messenger=Messenger.CONSOLE,
            questions_open_per_recipient=settings.questions_open_per_recipient,
            questions_per_day=settings.questions_per_day,
            files_dir=settings.files_dir,
            # One person types here, at any pace a script likes: nothing to protect.
            throttle_rate=1000.0,
            throttle_burst=1000,
        )
        dp = create_dispatcher(config, sessions, clock)
        await Console(dp, sessions, clock, persona, out).run(lines or stdin_lines())
        return 0
    finally:
        await engine.dispose()
