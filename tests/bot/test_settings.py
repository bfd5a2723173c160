"""``/settings``: notification preferences, changed with a press and remembered."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import NotificationPreference
from core.models.enums import PrivacyLevel, Role
from handlers.callbacks import SettingsChoice
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import link, linked_olga


async def preferences(sessions: async_sessionmaker[AsyncSession]) -> NotificationPreference:
    async with sessions() as session:
        return (await session.execute(select(NotificationPreference))).scalar_one()


async def test_settings_show_the_defaults_and_change_with_a_press(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    calls = await driver.send(olga, "/settings")
    answer = texts(calls)
    assert "✅ Новые оценки" in answer
    assert "Тихие часы: 21:00–07:00" in answer
    assert "Вечерняя сводка в 19:00" in answer
    marks = SettingsChoice(key="kind", value="marks").pack()
    assert marks in button_data(calls)

    assert "❌ Новые оценки" in texts(await driver.press(olga, marks))
    await driver.press(olga, SettingsChoice(key="quiet", value="22-07").pack())
    await driver.press(olga, SettingsChoice(key="digest", value="2000").pack())
    await driver.press(olga, SettingsChoice(key="privacy", value="minimal").pack())
    stored = await preferences(sessions)
    assert (stored.marks, stored.absences) == (False, True)
    assert (stored.quiet_from, stored.quiet_to, stored.digest_at) == (time(22), time(7), time(20))
    assert stored.privacy == PrivacyLevel.MINIMAL


async def test_a_forged_choice_changes_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    await driver.send(olga, "/settings")
    for forged in (("kind", "account_id"), ("digest", "0300"), ("quiet", "00-24"), ("x", "y")):
        calls = await driver.press(olga, SettingsChoice(key=forged[0], value=forged[1]).pack())
        assert any(c.show_alert for c in calls), forged
    stored = await preferences(sessions)
    assert stored.digest_at == time(19)
    assert stored.quiet_from == time(21)


async def test_an_unlinked_user_has_no_settings(driver: ChatDriver) -> None:
    answer = texts(await driver.send(driver.user(99), "/settings"))
    assert "/start" in answer
    calls = await driver.press(driver.user(99), SettingsChoice(key="kind", value="marks").pack())
    assert any(c.show_alert for c in calls)


async def test_early_warning_is_off_until_a_guardian_turns_it_on(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1", language="en")
    olga = driver.user(10, "en")
    calls = await driver.send(olga, "/settings")
    assert "❌ Early warning" in texts(calls)
    switch = SettingsChoice(key="kind", value="risk_warnings").pack()
    assert switch in button_data(calls)
    assert "✅ Early warning" in texts(await driver.press(olga, switch))
    assert (await preferences(sessions)).risk_warnings is True


async def test_a_student_is_not_offered_early_warning(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 40, "S3", Role.STUDENT, language="en")
    calls = await driver.send(driver.user(40, "en"), "/settings")
    assert "Early warning" not in texts(calls)
    assert SettingsChoice(key="kind", value="risk_warnings").pack() not in button_data(calls)
