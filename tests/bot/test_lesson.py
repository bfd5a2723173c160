"""``/lesson`` in the chat: the lesson now, the roll-call by taps or typed, marks from one
message; forged and stale buttons refused. The tiny school's Monday at 08:20: Крылова's
algebra (period 1) is in progress; Орлов covers her Russian (period 2)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Attendance, Mark, OutboxEvent, SchoolClass
from core.models.enums import AttendanceCode, EventKind, Role
from handlers.callbacks import RollTap
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import button

KRYLOVA, ORLOV = 50, 60
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school


async def _teachers(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> None:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER)
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER)
    driver.clock.move_to(IN_CLASS)


async def _absences(sessions: async_sessionmaker[AsyncSession], period: int = 1) -> dict[int, str]:
    """Monday's absences in a period (Анна has an imported Н in period 2)."""
    async with sessions() as session:
        rows = await session.execute(
            select(Attendance.student_id, Attendance.code).where(
                Attendance.date == IN_CLASS.date(),
                Attendance.period == period,
                Attendance.deleted_at.is_(None),
            )
        )
        return {student: AttendanceCode(code).value for student, code in rows}


async def test_the_lesson_in_progress_and_a_roll_call_in_three_taps(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    assert "Алгебра · 7А, урок 1" in texts(card)
    assert "08:00–08:45" in texts(card)
    roll = await driver.press(krylova, button(card, "Перекличка"))  # tap 1
    assert "Перекличка" in texts(roll)
    tapped = await driver.press(krylova, button(roll, "2. Петров"))  # tap 2: Дмитрий → Н
    assert "Н 2. Петров Д." in str(tapped[-1].reply_markup)
    saved = await driver.press(krylova, button(tapped, "Сохранить"))  # tap 3
    assert "сохранена" in texts(saved)
    dmitry = await student_id(sessions, "S3")
    assert await _absences(sessions) == {dmitry: "absent"}
    async with sessions() as session:
        events = (
            (
                await session.execute(
                    select(OutboxEvent.student_id).where(
                        OutboxEvent.kind == EventKind.ABSENCE_RECORDED,
                        OutboxEvent.occurred_at == IN_CLASS,
                    )
                )
            )
            .scalars()
            .all()
        )
    assert events == [dmitry]


async def test_a_typed_shortcut_and_all_present(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    await driver.press(krylova, button(card, "Перекличка"))
    typed = await driver.send(krylova, "оп 1 н 2")
    assert "сохранена" in texts(typed)
    anna, dmitry = await student_id(sessions, "S1"), await student_id(sessions, "S3")
    assert await _absences(sessions) == {anna: "late", dmitry: "absent"}
    wrong = await driver.send(krylova, "н 7")
    assert "«7»" in texts(wrong)
    assert await _absences(sessions) == {anna: "late", dmitry: "absent"}
    everybody = await driver.press(krylova, button(typed, "Все присутствуют"))
    assert "сохранена" in texts(everybody)
    assert await _absences(sessions) == {}


async def test_marks_from_one_message_with_a_preview(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    prompt = await driver.press(krylova, button(card, "Оценки"))
    assert "1. Иванова Анна" in texts(prompt)
    assert "Вид работы: Ответ на уроке" in texts(prompt)  # the most used one
    bad = await driver.send(krylova, "5 6")
    assert "«6» — не оценка" in texts(bad)
    preview = await driver.send(krylova, "5 4")
    assert "1. Иванова Анна — <b>5</b>" in texts(preview)
    async with sessions() as session:
        before = len((await session.execute(select(Mark.id))).all())
    saved = await driver.press(krylova, button(preview, "Сохранить"))
    assert "Сохранено оценок: 2" in texts(saved)
    async with sessions() as session:
        after = await session.execute(select(Mark.value).where(Mark.external_id.like("bot-%")))
        values = sorted(after.scalars().all())
        total = len((await session.execute(select(Mark.id))).all())
    assert values == ["4", "5"]
    assert total == before + 2


async def test_forged_and_stale_buttons_write_nothing(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    async with sessions() as session:
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
    day = IN_CLASS.date().toordinal()
    # Russian is Орлов's today: Крылова's forged save of it is refused, his is not.
    forged = RollTap(day=day, period=2, cls=class_7a, grp=0, state="2", tap=-2).pack()
    refused = await driver.press(driver.user(KRYLOVA), forged)
    assert any(c.show_alert for c in refused)
    assert "не ваш" in texts(refused)
    anna = await student_id(sessions, "S1")
    assert await _absences(sessions, 2) == {anna: "absent"}  # the imported Н, untouched
    for data in (
        RollTap(day=day, period=1, cls=class_7a, grp=0, state="zzzzzzzzzz", tap=-2).pack(),
        RollTap(day=day, period=1, cls=class_7a, grp=0, state="0", tap=99).pack(),
        RollTap(day=1, period=1, cls=class_7a, grp=0, state="0", tap=-2).pack(),
    ):
        calls = await driver.press(driver.user(KRYLOVA), data)
        assert any(c.show_alert for c in calls), data
    garbled = await driver.press(driver.user(KRYLOVA), "rc1:x:1:1:0:0:1")
    assert "сохранена" not in texts(garbled)
    assert await _absences(sessions) == {}
    substitute = await driver.press(driver.user(ORLOV), forged)
    assert "сохранена" in texts(substitute)
    assert await _absences(sessions, 2) == {anna: "late"}


async def test_not_a_teacher_and_a_day_without_lessons(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    assert "для учителей" in texts(await driver.send(driver.user(10), "/lesson"))
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER)
    driver.clock.move_to(datetime(2026, 12, 5, 5, 0, tzinfo=UTC))  # a Saturday
    assert "нет уроков" in texts(await driver.send(driver.user(KRYLOVA), "/lesson"))


async def test_the_topic_typed_in_class_is_what_the_family_sees(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    prompt = await driver.press(krylova, button(card, "Тема"))
    assert "Пришлите тему" in texts(prompt)
    assert "Тема сохранена" in texts(await driver.send(krylova, "  Квадратные   уравнения "))
    again = await driver.send(krylova, "/lesson")
    assert "Тема: Квадратные уравнения" in texts(again)
    await link(driver, sessions, 10, "G1")
    topics = await driver.send(driver.user(10), "темы по алгебре")
    assert "Квадратные уравнения" in texts(topics)


async def test_a_mark_is_corrected_with_a_reason(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    await driver.press(krylova, button(card, "Оценки"))
    preview = await driver.send(krylova, "- 5")
    await driver.press(krylova, button(preview, "Сохранить"))
    prompt = await driver.press(krylova, button(card, "Оценки"))
    fixes = await driver.press(krylova, button(prompt, "Исправить оценку (1)"))
    assert "Чтобы исправить оценку" in texts(fixes)
    values = await driver.press(krylova, button(fixes, "2. Петров Д. 5"))
    assert "Исправить Петров Дмитрий: 5 → ?" in texts(values)
    asked = await driver.press(krylova, button(values, "4"))
    assert "Почему?" in texts(asked)
    done = await driver.send(krylova, "перепутала строку")
    assert "Исправлено: Петров Дмитрий, 5 → 4." in texts(done)
    async with sessions() as session:
        marks = (
            (
                await session.execute(
                    select(Mark.value).where(
                        Mark.external_id.like("bot-%"), Mark.deleted_at.is_(None)
                    )
                )
            )
            .scalars()
            .all()
        )
    assert marks == ["4"]


async def test_the_staff_menu_has_the_lesson_button(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _teachers(driver, sessions)
    help_ = await driver.send(driver.user(KRYLOVA), "/help")
    assert "📝 Урок" in str(help_[-1].reply_markup)
    card = await driver.send(driver.user(KRYLOVA), "📝 Урок")
    assert "Алгебра · 7А, урок 1" in texts(card)
    await link(driver, sessions, 10, "G1")
    family = await driver.send(driver.user(10), "/help")
    assert "📝 Урок" not in str(family[-1].reply_markup)
