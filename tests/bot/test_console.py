"""The console chat: the real dispatcher; typed lines in, texts and numbered buttons out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.main import run_console
from bot.settings import Settings
from core.clock import FrozenClock
from tests.bot import school


async def typed(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def console(db_url: str, person: str | None, lines: list[str]) -> tuple[int, str]:
    out: list[str] = []
    code = await run_console(
        Settings(database_url=db_url),
        person,
        lines=typed(lines),
        out=out.append,
        clock=FrozenClock(school.NOW),
    )
    return code, "\n".join(out)


async def test_a_guardian_links_with_a_code_and_switches_children(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code, out = await console(db_url, "G1", [":code", "1", "/child", "2", ":quit", "/help"])
    assert code == 0
    assert "Ольга Иванова" in out  # who the console plays
    assert "[1] Я согласен" in out
    assert "Анна Иванова, 7А" in out
    assert "Сейчас показан: Борис Иванов, 5Б" in out
    assert "Что я умею" not in out  # the /help typed after :quit never ran


async def test_the_own_phone_button_links_and_a_foreign_contact_is_refused(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code, out = await console(db_url, "S3", [":contact +79123456789", "/start", "1", "1"])
    assert code == 0
    assert "только ваш собственный" in out
    assert "Дмитрий Петров" in out  # [1]: the reply keyboard's "share my phone", then "I agree"


async def test_an_unknown_person_is_a_clear_error(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code, out = await console(db_url, "NOBODY", [])
    assert code == 2
    assert "NOBODY" in out
