"""Privacy guards: groups, tampered callbacks, leaving, logout, errors, throttling, languages."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.types import Chat, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import migrate
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker
from core.linking.accounts import load_account
from core.models import Account, AccountLink, AuditRecord
from core.models.enums import Messenger
from handlers.callbacks import ConfirmLogout, PickChild, PickLanguage
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import CHAT_INPUTS, link, student_id

GROUP = Chat(id=-100123, type="supergroup", title="7А родители")


async def current_child(sessions: async_sessionmaker[AsyncSession], user_id: int) -> int | None:
    async with sessions() as session:
        account = await load_account(session, Messenger.TELEGRAM, str(user_id), school.TODAY)
    assert account is not None
    current: int | None = account.current_student_id
    return current


async def test_a_command_in_a_group_reveals_nothing_and_points_to_the_private_chat(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    calls = await driver.send(driver.user(10), "/start", chat=GROUP)
    assert len(calls) == 1
    assert "Анна" not in texts(calls)
    assert "Борис" not in texts(calls)
    assert "личном чате" in texts(calls)
    markup = calls[0].reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    assert markup.inline_keyboard[0][0].url == "https://t.me/school_journal_bot"
    # Ordinary talk in the group is not answered at all.
    assert await driver.send(driver.user(10), "всем привет", chat=GROUP) == []


async def test_a_callback_from_a_group_is_refused(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    anna = await student_id(sessions, "S1")
    calls = await driver.press(driver.user(10), PickChild(student_id=anna).pack(), chat=GROUP)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].show_alert


async def test_a_guardian_switches_between_own_children_and_it_is_remembered(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    anna, boris = await student_id(sessions, "S1"), await student_id(sessions, "S2")
    assert await current_child(sessions, 10) == anna
    answer = texts(await driver.press(driver.user(10), PickChild(student_id=boris).pack()))
    assert "Борис Иванов" in answer
    assert await current_child(sessions, 10) == boris


async def test_a_tampered_callback_naming_another_familys_child_is_refused(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 20, "G2")  # Павел, father of Дмитрий only
    anna = await student_id(sessions, "S1")
    calls = await driver.press(driver.user(20), PickChild(student_id=anna).pack())
    assert "Анна" not in texts(calls)
    assert any(c.show_alert for c in calls)
    assert await current_child(sessions, 20) == await student_id(sessions, "S3")


@pytest.mark.parametrize(
    "data",
    ["ch1:999999", "ch1:-1", "ch1:abc", "cs1:maybe", "lg1:de", "lo1:x", "xx9:1", "ch1:1:2"],
)
async def test_malformed_callback_data_changes_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], data: str
) -> None:
    await link(driver, sessions, 20, "G2")
    before = await current_child(sessions, 20)
    calls = await driver.press(driver.user(20), data)
    assert "Анна" not in texts(calls)
    assert await current_child(sessions, 20) == before


async def test_nothing_personal_is_shown_to_an_unlinked_user(driver: ChatDriver) -> None:
    stranger = driver.user(99)
    for text in ("/start", "/child", "/help", "/privacy", "/logout", "оценки", "S1"):
        answer = texts(await driver.send(stranger, text))
        for name in ("Анна", "Борис", "Дмитрий", "Иванов", "Петров"):
            assert name not in answer, (text, answer)


async def test_a_child_who_left_is_gone_from_the_family_on_the_leaving_date(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    await link(driver, sessions, 10, "G1")
    olga = driver.user(10)
    clock.move_to(clock.now() + (school.LEFT_ON - school.TODAY) - timedelta(days=1))
    assert "Борис" in texts(await driver.send(olga, "/start"))
    clock.advance(timedelta(days=1))
    answer = texts(await driver.send(olga, "/start"))
    assert "Анна" in answer
    assert "Борис" not in answer
    boris = await student_id(sessions, "S2")
    refused = await driver.press(olga, PickChild(student_id=boris).pack())
    assert any(c.show_alert for c in refused)


async def test_logout_unlinks_and_deletes_the_chat_data_but_keeps_the_audit_trail(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    olga = driver.user(10)
    assert "удалить" in texts(await driver.send(olga, "/logout"))
    assert await current_child(sessions, 10) is not None  # asking deletes nothing
    await driver.press(olga, ConfirmLogout(confirm=True).pack())
    async with sessions() as session:
        assert (await session.execute(select(Account))).first() is None
        assert (await session.execute(select(AccountLink))).first() is None
        actions = list((await session.execute(select(AuditRecord.action))).scalars())
    assert "link_invite" in actions
    assert "logout" in actions
    assert "Анна" not in texts(await driver.send(olga, "/start"))


async def test_privacy_says_what_is_stored(driver: ChatDriver) -> None:
    answer = texts(await driver.send(driver.user(5), "/privacy"))
    assert "152-ФЗ" in answer
    assert "/logout" in answer


async def test_language_follows_telegram_then_the_account_choice(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    english = driver.user(7, language="en")
    assert "link your account" in texts(await driver.send(english, "/start"))
    german = driver.user(8, language="de")
    assert "привяжите" in texts(await driver.send(german, "/start"))

    answer = texts(await driver.press(german, PickLanguage(locale="en").pack()))
    assert "English" in answer
    assert "link your account" in texts(await driver.send(german, "/start"))
    answer = texts(await driver.press(german, PickLanguage(locale="ru").pack()))
    assert "русский" in answer.lower()


async def test_an_unexpected_error_gets_an_apology_and_a_log_line_without_personal_data(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "".join(["Иванова Анна ", "+7912", "3456789"])  # never a literal in the source

    def broken(_messenger: str) -> str:
        raise RuntimeError(secret)

    monkeypatch.setattr("handlers.privacy.privacy_text", broken)
    with caplog.at_level(logging.ERROR):
        answer = texts(await driver.send(driver.user(10), "/privacy"))
    assert "что-то пошло не так" in answer
    assert "RuntimeError" in caplog.text
    assert "Иванова" not in caplog.text
    assert "79123456789" not in caplog.text


async def test_an_unavailable_database_is_reported_and_the_bot_recovers_by_itself(
    tmp_path: Path,
) -> None:
    path = tmp_path / "not-yet" / "journal.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    driver = ChatDriver(create_sessionmaker(engine), FrozenClock(school.NOW))
    try:
        answer = texts(await driver.send(driver.user(10), "/start"))
        assert "временно недоступен" in answer
        # The database comes back; the same running dispatcher answers again.
        path.parent.mkdir()
        await asyncio.to_thread(migrate.upgrade, f"sqlite+aiosqlite:///{path}")
        answer = texts(await driver.send(driver.user(10), "/start"))
        assert "временно" not in answer
        assert "код" in answer
    finally:
        await engine.dispose()


async def test_a_flood_from_one_user_is_throttled_with_one_warning(
    sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    driver = ChatDriver(sessions, clock, throttle_burst=3, throttle_rate=0.001)
    user = driver.user(10)
    answers = [await driver.send(user, "/help") for _ in range(6)]
    assert all(answers[:3])
    assert "Слишком много запросов" in texts(answers[3])
    assert answers[4] == []
    assert answers[5] == []
    other = driver.user(11)
    assert await driver.send(other, "/help")  # others are not affected


async def test_a_guardian_of_one_child_never_sees_another_through_any_command(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 20, "G2")  # father of Дмитрий only
    pavel = driver.user(20)
    for command in CHAT_INPUTS:
        answer = texts(await driver.send(pavel, command))
        for other in ("Анна", "Борис", "Иванов", "Работа над ошибками"):
            assert other not in answer, (command, answer)
