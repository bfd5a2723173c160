"""The console chat: the real dispatcher; typed lines in, texts and numbered buttons out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.main import run_console
from bot.settings import Settings
from core.clock import FrozenClock
from tests.bot import school


async def typed(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def console(
    db_url: str, person: str | None, lines: list[str], at: datetime = school.NOW
) -> tuple[int, str]:
    out: list[str] = []
    code = await run_console(
        Settings(database_url=db_url),
        person,
        lines=typed(lines),
        out=out.append,
        clock=FrozenClock(at),
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


async def test_pushes_arrive_in_the_console_and_time_travel_ends_quiet_hours(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from tests.notify.families import mark, with_marks, write

    await console(db_url, "G2", [":code", "1"])  # Павел links
    await write(sessions, with_marks(mark("M9", "S3", "5")), school.NOW)
    code, out = await console(db_url, "G2", ["/help"])
    assert code == 0
    assert "🔔 Дмитрий: новая оценка — Алгебра: 5 (30 ноября)" in out
    # At 23:00 a new mark waits for the end of the quiet hours (21:00-07:00).
    late = datetime(2026, 11, 30, 23, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    await write(sessions, with_marks(mark("M10", "S3", "4")), late)
    code, out = await console(db_url, "G2", ["/help", ":time 2026-12-01 07:00"], at=late)
    assert out.count("🔔") == 1
    assert out.index("🔔") > out.index("school time: 2026-12-01 07:00 (Tuesday)")
    assert "новая оценка — Алгебра: 4 (30 ноября)" in out


async def test_the_console_never_shows_a_push_meant_for_someone_else(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await console(db_url, "G2", [":code", "1"])  # Павел is linked and has had his pushes
    from tests.notify.families import mark, with_marks, write

    await write(sessions, with_marks(mark("M9", "S3", "5")), school.NOW)
    code, out = await console(db_url, "G1", ["/help"])  # Ольга, not linked, is at the keys
    assert code == 0
    assert "🔔" not in out


def test_time_travel_accepts_steps_clock_times_and_dates_ahead_only() -> None:
    from datetime import UTC

    from bot.console.travel import travel_target

    tz = ZoneInfo("Asia/Yekaterinburg")
    now = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 10:00 school time
    assert travel_target("+2h", now, tz) == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert travel_target("+1d", now, tz) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert travel_target("19:00", now, tz) == datetime(2026, 11, 30, 19, 0, tzinfo=tz)
    assert travel_target("08:00", now, tz) == datetime(2026, 12, 1, 8, 0, tzinfo=tz)  # tomorrow
    assert travel_target("2026-12-01 07:00", now, tz) == datetime(2026, 12, 1, 7, 0, tzinfo=tz)
    assert travel_target("2026-11-01 07:00", now, tz) is None  # the past stays past
    assert travel_target("soon", now, tz) is None


async def test_the_console_plays_a_whole_conversation_with_a_teacher(
    db_url: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Ольга asks Крылова, who links later as :as T1, opens the question and replies; back as
    Ольга, /inbox shows the answer. One run, as a newcomer would try it after `make run`."""
    lines = [
        ":code", "1",  # Ольга links
        "/ask", "1", "1", "Здравствуйте! Когда контрольная?", "1",  # Анна, algebra, Send
        ":as T1", ":code", "1",  # Крылова links: the waiting question arrives
        "1",  # Open
        ":reply В четверг.", "2",  # a plain reply, "Send to all guardians"
        ":as G1", "/inbox", "1",  # Ольга's conversations, then the thread
    ]  # fmt: skip
    code, out = await console(db_url, "G1", lines)
    assert code == 0
    assert "✅ Отправлено: вопрос №1, получатель — Крылова Н. П." in out
    assert "пока не пользуется ботом" in out
    assert "📩 Новый вопрос №1" in out
    assert "Вам как: учитель предмета «Алгебра»" in out
    assert "✅ Ответ отправлен автору вопроса и всем родителям ребёнка." in out
    conversation = out[out.rindex("🗂 Переписка №1") :]
    assert "есть ответ" in conversation
    assert "Ольга Иванова, 10:00 · ✓✓ прочитано" in conversation
    assert "Крылова Н. П., 10:00 · всем родителям\nВ четверг." in conversation
