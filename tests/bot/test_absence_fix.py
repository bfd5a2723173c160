"""«🩹 Fix absences» on the lesson card: the lesson's absences as buttons, a choice, a reason, the
correction saved; forged and other teachers' buttons refused. The tiny school's Monday at 08:20
(English, so that the new strings read the same before and after their translation)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Attendance, AuditRecord
from core.models.enums import AttendanceCode, Role
from handlers.views.absence_fix import AbsenceFix
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import button

KRYLOVA, ORLOV = 50, 60
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school


async def _teachers(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> None:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    driver.clock.move_to(IN_CLASS)


async def _code(sessions: async_sessionmaker[AsyncSession], key: str, period: int) -> str | None:
    """The live attendance code of a pupil at a Monday period, None when present."""
    student = await student_id(sessions, key)
    async with sessions() as session:
        code = await session.scalar(
            select(Attendance.code).where(
                Attendance.student_id == student,
                Attendance.date == IN_CLASS.date(),
                Attendance.period == period,
                Attendance.deleted_at.is_(None),
            )
        )
    return AttendanceCode(code).value if code is not None else None


async def _imported(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found: int = (
            await session.execute(select(Attendance.id).where(Attendance.external_id == "A1"))
        ).scalar_one()
        return found


async def test_an_absence_is_corrected_to_late_with_a_reason(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA, "en")
    card = await driver.send(krylova, "/lesson")
    roll = await driver.press(krylova, button(card, "Roll-call"))
    tapped = await driver.press(krylova, button(roll, "2. Петров"))
    await driver.press(krylova, button(tapped, "Save"))
    assert await _code(sessions, "S3", 1) == "absent"
    card = await driver.send(krylova, "/lesson")
    listed = await driver.press(krylova, button(card, "Fix absences"))
    assert "Fix absences: Алгебра · 7А, lesson 1" in texts(listed)
    choices = await driver.press(krylova, button(listed, "Н 2. Петров Д."))
    assert "Correct Петров Дмитрий: Н → ?" in texts(choices)
    asked = await driver.press(krylova, button(choices, "ОП"))
    assert "Why is it corrected?" in texts(asked)
    too_long = await driver.send(krylova, "x" * 300)
    assert "up to 200 characters" in texts(too_long)
    assert await _code(sessions, "S3", 1) == "absent"
    done = await driver.send(krylova, "пришёл через пять минут")
    assert "Corrected: Петров Дмитрий, Н → ОП." in texts(done)
    assert await _code(sessions, "S3", 1) == "late"
    async with sessions() as session:
        reason = await session.scalar(
            select(AuditRecord.details).where(AuditRecord.action == "absence_corrected")
        )
    assert reason is not None
    assert reason["reason"] == "пришёл через пять минут"
    # Present after all: the row goes.
    listed = await driver.press(krylova, button(card, "Fix absences"))
    choices = await driver.press(krylova, button(listed, "ОП 2. Петров Д."))
    await driver.press(krylova, button(choices, "Was present"))
    done = await driver.send(krylova, "был на уроке")
    assert "Петров Дмитрий was present" in texts(done)
    assert await _code(sessions, "S3", 1) is None


async def test_forged_and_other_teachers_buttons_change_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    imported = await _imported(sessions)  # Анна's Н at Russian, which Орлов covers today
    krylova, orlov = driver.user(KRYLOVA, "en"), driver.user(ORLOV, "en")
    for data in (
        AbsenceFix(a=imported).pack(),
        AbsenceFix(a=imported, v="p").pack(),
        AbsenceFix(a=imported + 999, v="p").pack(),
        "af1:x:p",
    ):
        refused = await driver.press(krylova, data)
        assert "Why is it corrected?" not in texts(refused), data
        assert any(c.show_alert for c in refused) or not texts(refused), data
    assert await _code(sessions, "S1", 2) == "absent"
    bogus = await driver.press(orlov, AbsenceFix(a=imported, v="zz").pack())
    assert any(c.show_alert for c in bogus)
    # Орлов, the substitute, may.
    asked = await driver.press(orlov, AbsenceFix(a=imported, v="op").pack())
    assert "Why is it corrected?" in texts(asked)
    done = await driver.send(orlov, "опоздала на 10 минут")
    assert "Corrected: Иванова Анна, Н → ОП." in texts(done)
    assert await _code(sessions, "S1", 2) == "late"
