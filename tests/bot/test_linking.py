"""Linking through the real dispatcher: codes, own phone, consent, lockout, families."""

from __future__ import annotations

from datetime import timedelta

from aiogram.types import ReplyKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import FrozenClock
from core.linking.accounts import load_account
from core.models.enums import Messenger
from handlers.callbacks import ConsentAnswer
from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, audit_actions, invite

DECLINE = ConsentAnswer(agree=False).pack()


async def linked_children(
    sessions: async_sessionmaker[AsyncSession], user_id: int
) -> list[str] | None:
    async with sessions() as session:
        account = await load_account(session, Messenger.TELEGRAM, str(user_id), school.TODAY)
    return None if account is None else [child.name for child in account.children]


async def test_start_without_a_code_explains_both_ways_and_offers_the_phone_button(
    driver: ChatDriver,
) -> None:
    calls = await driver.send(driver.user(1), "/start")
    assert "код" in texts(calls)
    keyboard = calls[-1].reply_markup
    assert isinstance(keyboard, ReplyKeyboardMarkup)
    assert any(button.request_contact for row in keyboard.keyboard for button in row)


async def test_a_code_links_after_consent_and_names_the_children(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invite(sessions, "G1")
    olga = driver.user(10)
    asked = await driver.send(olga, f"/start {code}")
    assert "152-ФЗ" in texts(asked)
    assert await linked_children(sessions, 10) is None  # nothing linked before consent

    answer = texts(await driver.press(olga, AGREE))
    assert "Анна Иванова, 7А" in answer
    assert "Борис Иванов, 5Б" in answer
    assert await linked_children(sessions, 10) == ["Анна Иванова", "Борис Иванов"]
    assert "link_invite" in await audit_actions(sessions)


async def test_declining_consent_links_and_keeps_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    code = await invite(sessions, "G1")
    olga = driver.user(10)
    await driver.send(olga, f"/start {code}")
    answer = texts(await driver.press(olga, DECLINE))
    assert "Анна" not in answer
    assert await linked_children(sessions, 10) is None


async def test_own_phone_links_every_record_with_that_number(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    olga = driver.user(10)
    await driver.contact(olga, "8 (912) 345-67-89")
    answer = texts(await driver.press(olga, AGREE))
    assert "Анна Иванова, 7А" in answer
    assert "Борис Иванов, 5Б" in answer


async def test_a_foreign_or_forwarded_contact_is_refused(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    mallory = driver.user(66)
    foreign = texts(await driver.contact(mallory, school.OLGA_PHONE, owner_id=10))
    forwarded = texts(await driver.contact(mallory, school.OLGA_PHONE, forwarded=True))
    for answer in (foreign, forwarded):
        assert "только ваш собственный" in answer
        assert "Анна" not in answer
    assert await linked_children(sessions, 66) is None


async def test_an_unknown_phone_is_not_found(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    user = driver.user(77)
    await driver.contact(user, "+79990000000")
    answer = texts(await driver.press(user, AGREE))
    assert "нет в записях школы" in answer
    assert await linked_children(sessions, 77) in (None, [])


async def test_six_wrong_codes_lock_out_until_the_hour_is_over(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    good = await invite(sessions, "G2")
    user = driver.user(20)
    await driver.send(user, "/start wrong-code-0000000000000000000000")
    await driver.press(user, AGREE)  # consent; the first failure is counted
    for n in range(1, 5):
        clock.advance(timedelta(minutes=1))
        answer = texts(await driver.send(user, f"/start wrong-code-{n:032d}"))
        assert "не подходит" in answer
    clock.advance(timedelta(minutes=1))
    locked = texts(await driver.send(user, f"/start {good}"))
    assert "Слишком много неверных кодов" in locked
    assert "11:00" in locked  # first failure at 10:00 school time + 1 hour
    assert await linked_children(sessions, 20) in (None, [])
    actions = await audit_actions(sessions)
    assert actions.count("link_failed") == 5
    assert "link_locked" in actions

    clock.advance(timedelta(hours=1))
    assert "Дмитрий Петров" in texts(await driver.send(user, f"/start {good}"))


async def test_a_used_or_expired_code_fails(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], clock: FrozenClock
) -> None:
    code = await invite(sessions, "G1")
    first, second = driver.user(10), driver.user(11)
    await driver.send(first, f"/start {code}")
    await driver.press(first, AGREE)
    await driver.send(second, f"/start {code}")
    assert "не подходит" in texts(await driver.press(second, AGREE))

    late = await invite(sessions, "G3")
    clock.advance(timedelta(days=31))
    assert "не подходит" in texts(await driver.send(second, f"/start {late}"))
    assert await linked_children(sessions, 11) in (None, [])


async def test_two_guardians_of_one_child_link_on_their_own(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    for user_id, person in ((10, "G1"), (30, "G3")):
        user = driver.user(user_id)
        await driver.send(user, f"/start {await invite(sessions, person)}")
        await driver.press(user, AGREE)
    assert await linked_children(sessions, 10) == ["Анна Иванова", "Борис Иванов"]
    assert await linked_children(sessions, 30) == ["Анна Иванова"]


async def test_a_student_links_by_own_phone_and_sees_only_themself(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dmitry = driver.user(40)
    await driver.contact(dmitry, school.DMITRY_PHONE)
    answer = texts(await driver.press(dmitry, AGREE))
    assert "Дмитрий Петров" in answer
    assert "Анна" not in answer
    assert await linked_children(sessions, 40) == ["Дмитрий Петров"]


async def test_a_teacher_links_by_code_and_is_told_the_role(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    teacher = driver.user(50)
    await driver.send(teacher, f"/start {await invite(sessions, 'T1', None)}")
    assert "учитель" in texts(await driver.press(teacher, AGREE))


async def test_a_pasted_code_links_like_the_deep_link(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    olga = driver.user(10)
    await driver.send(olga, await invite(sessions, "G1"))
    assert "Анна Иванова" in texts(await driver.press(olga, AGREE))
