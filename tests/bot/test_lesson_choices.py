"""``/lesson`` beyond the first taps: a mark in two taps with a comment, an earlier day from the
picker, and two devices saving at once (the second sees what changed and decides).

The tiny school: Крылова teaches 7А algebra in period 1 on Monday 2026-11-30 and Tuesday;
7А's list is Иванова Анна (1), Петров Дмитрий (2).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import Attendance, Mark, SchoolClass, Staff
from core.models.enums import AttendanceCode, Role
from core.reader import Reader
from core.teaching.dto import LessonSlot
from core.teaching.marks import NewMark, save_marks
from core.teaching.rollcall import save_roll_call
from handlers.callbacks import LessonDay
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, student_id
from tests.bot.mail_kit import button

KRYLOVA = 50
MONDAY = date(2026, 11, 30)
IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # Monday 08:20 at the school
WEDNESDAY_MORNING = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


async def _krylova(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> None:
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER)
    driver.clock.move_to(IN_CLASS)


async def _slot_and_reader(sessions: async_sessionmaker[AsyncSession]) -> tuple[LessonSlot, Reader]:
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        staff = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T1"))
        ).scalar_one()
    return LessonSlot(MONDAY, 1, class_id), Reader(
        label="other device", staff_id=staff, today=MONDAY
    )


async def _live_marks(
    sessions: async_sessionmaker[AsyncSession],
) -> list[tuple[int, str, str | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Mark.student_id, Mark.value, Mark.comment)
            .where(Mark.external_id.like("bot-%"), Mark.deleted_at.is_(None))
            .order_by(Mark.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_mark_in_two_taps_with_a_comment(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    prompt = await driver.press(krylova, button(card, "Оценки"))
    values = await driver.press(krylova, button(prompt, "1. Иванова А."))  # tap 1
    assert "1. Иванова Анна: какая оценка?" in texts(values)
    preview = await driver.press(krylova, button(values, "4"))  # tap 2
    assert "1. Иванова Анна — <b>4</b>" in texts(preview)
    asked = await driver.press(krylova, button(preview, "Комментарий"))
    assert "Комментарий к оценке 4" in texts(asked)
    too_long = await driver.send(krylova, "x" * 301)
    assert "до 300 символов" in texts(too_long)
    commented = await driver.send(krylova, "устный ответ у доски")
    assert "<i>устный ответ у доски</i>" in texts(commented)
    saved = await driver.press(krylova, button(commented, "Сохранить (1)"))
    assert "Сохранено" in texts(saved)
    anna = await student_id(sessions, "S1")
    assert await _live_marks(sessions) == [(anna, "4", "устный ответ у доски")]
    # Анна's family sees the comment under the mark in the subject's marks.
    await link(driver, sessions, 10, "G1")
    diary = await driver.send(driver.user(10), "оценки по алгебре")
    assert "<b>4</b>" in texts(diary)
    assert "<i>устный ответ у доски</i>" in texts(diary)


async def test_a_second_tap_on_another_value_replaces_the_pending_mark(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    prompt = await driver.press(krylova, button(card, "Оценки"))
    values = await driver.press(krylova, button(prompt, "1. Иванова А."))
    preview = await driver.press(krylova, button(values, "3"))
    more = await driver.press(krylova, button(preview, "Ещё оценки"))
    assert "1. Иванова А. → 3" in str(more[-1].reply_markup)
    values = await driver.press(krylova, button(more, "1. Иванова А."))
    preview = await driver.press(krylova, button(values, "5"))
    assert "1. Иванова Анна — <b>5</b>" in texts(preview)
    assert "<b>3</b>" not in texts(preview)
    await driver.press(krylova, button(preview, "Сохранить (1)"))
    anna = await student_id(sessions, "S1")
    assert await _live_marks(sessions) == [(anna, "5", None)]


async def test_a_mark_given_meanwhile_from_another_device_is_shown_before_saving(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    await driver.press(krylova, button(card, "Оценки"))
    preview = await driver.send(krylova, "4 5")  # Анна 4, Дмитрий 5
    slot, other = await _slot_and_reader(sessions)
    async with sessions() as session, session.begin():
        await save_marks(
            session,
            other,
            slot,
            [NewMark(2, "3", 3)],
            work_type_id=None,
            now=IN_CLASS,
            today=MONDAY,
        )
    clash = await driver.press(krylova, button(preview, "Сохранить"))
    assert "с другого устройства" in texts(clash)
    assert "2. Петров Дмитрий — <b>3</b>" in texts(clash)
    assert len(await _live_marks(sessions)) == 1  # nothing of hers saved yet
    only_others = await driver.press(krylova, button(clash, "Сохранить только остальных"))
    assert "Сохранено" in texts(only_others)
    anna, dmitry = await student_id(sessions, "S1"), await student_id(sessions, "S3")
    assert sorted(await _live_marks(sessions)) == sorted([(dmitry, "3", None), (anna, "4", None)])


async def test_adding_mine_as_well_after_a_clash(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    await driver.press(krylova, button(card, "Оценки"))
    preview = await driver.send(krylova, "- 5")  # Дмитрий 5
    slot, other = await _slot_and_reader(sessions)
    async with sessions() as session, session.begin():
        await save_marks(
            session,
            other,
            slot,
            [NewMark(2, "3", 3)],
            work_type_id=None,
            now=IN_CLASS,
            today=MONDAY,
        )
    clash = await driver.press(krylova, button(preview, "Сохранить"))
    assert "Сохранить только остальных" not in str(clash[-1].reply_markup)  # nobody else
    await driver.press(krylova, button(clash, "Добавить и мои"))
    values = sorted(value for _s, value, _c in await _live_marks(sessions))
    assert values == ["3", "5"]


async def _absent(sessions: async_sessionmaker[AsyncSession]) -> dict[int, str]:
    async with sessions() as session:
        rows = await session.execute(
            select(Attendance.student_id, Attendance.code).where(
                Attendance.date == MONDAY, Attendance.period == 1, Attendance.deleted_at.is_(None)
            )
        )
        return {student: AttendanceCode(code).value for student, code in rows}


async def test_a_roll_call_saved_meanwhile_elsewhere_is_shown_and_the_teacher_decides(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    roll = await driver.press(krylova, button(card, "Перекличка"))
    tapped = await driver.press(krylova, button(roll, "2. Петров"))  # Дмитрий → Н, not saved
    anna, dmitry = await student_id(sessions, "S1"), await student_id(sessions, "S3")
    slot, other = await _slot_and_reader(sessions)
    async with sessions() as session, session.begin():
        await save_roll_call(
            session, other, slot, {anna: AttendanceCode.LATE}, now=IN_CLASS, today=MONDAY
        )
    clash = await driver.press(krylova, button(tapped, "Сохранить"))
    assert "сохранили с другого устройства" in texts(clash)
    assert "В журнале: 1. Иванова А. (ОП)" in texts(clash)
    assert "У вас: 2. Петров Д. (Н)" in texts(clash)
    assert await _absent(sessions) == {anna: "late"}  # nothing lost, nothing overwritten yet
    # "Keep the journal's" opens the roll-call as the journal has it.
    fresh = await driver.press(krylova, button(clash, "Оставить из журнала"))
    assert "ОП 1. Иванова А." in str(fresh[-1].reply_markup)
    # Or save hers over it, knowingly.
    await driver.press(krylova, button(clash, "Сохранить мою"))
    assert await _absent(sessions) == {dmitry: "absent"}


async def test_saving_twice_from_the_same_screen_is_not_a_clash(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    roll = await driver.press(krylova, button(card, "Перекличка"))
    tapped = await driver.press(krylova, button(roll, "2. Петров"))
    saved = await driver.press(krylova, button(tapped, "Сохранить"))
    # The screen was redrawn with the saved state: tapping on from it is no clash.
    again = await driver.press(krylova, button(saved, "2. Петров"))  # Н → ОП
    done = await driver.press(krylova, button(again, "Сохранить"))
    assert "с другого устройства" not in texts(done)
    dmitry = await student_id(sessions, "S3")
    assert await _absent(sessions) == {dmitry: "late"}


async def test_an_earlier_day_from_the_picker_and_none_beyond_the_window(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await _krylova(driver, sessions)
    driver.clock.move_to(WEDNESDAY_MORNING)  # Крылова has no lessons on Wednesday
    krylova = driver.user(KRYLOVA)
    none_today = await driver.send(krylova, "/lesson")
    assert "нет уроков" in texts(none_today)
    days = await driver.press(krylova, button(none_today, "Другой день"))
    labels = str(days[-1].reply_markup)
    assert "30 нояб" in labels
    assert "1 дек" in labels
    monday = await driver.press(krylova, button(days, "30 нояб"))
    assert "Алгебра · 7А, урок 1" in texts(monday)
    assert "30 ноября" in texts(monday)
    roll = await driver.press(krylova, button(monday, "Перекличка"))
    tapped = await driver.press(krylova, button(roll, "1. Иванова"))
    await driver.press(krylova, button(tapped, "Сохранить"))
    anna = await student_id(sessions, "S1")
    assert await _absent(sessions) == {anna: "absent"}
    # A forged day two weeks back is refused with the reason, and nothing is opened.
    forged = LessonDay(day=date(2026, 11, 16).toordinal()).pack()
    refused = await driver.press(krylova, forged)
    assert "Этот урок уже нельзя изменить" in texts(refused)
    assert "30 ноября" not in texts(refused)


async def test_the_plans_next_topic_in_one_tap_and_a_forged_item_refused(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from core.exchange import service
    from core.models import Lesson, LessonPlanItem
    from handlers.callbacks import TopicTake
    from tests.bot import school

    topics = ["Повторение", "Квадратные уравнения", "Теорема Виета"]
    plan = [
        {
            "id": f"P{n}",
            "class": "C7A",
            "subject": "ALG",
            "teacher": "T1",
            "number": str(n),
            "topic": topic,
        }
        for n, topic in enumerate(topics, 1)
    ]
    plan.append({"id": "R1", "class": "C7A", "subject": "RUS", "number": "1", "topic": "Причастие"})
    earlier = {
        "id": "L1",
        "date": "2026-11-24",
        "period": "1",
        "class": "C7A",
        "subject": "ALG",
        "teacher": "T1",
        "topic": "Повторение",
    }
    await service.import_rows(
        sessions, {"plan": plan, "lessons": [earlier]}, now=school.NOW, today=school.TODAY
    )
    await _krylova(driver, sessions)
    krylova = driver.user(KRYLOVA)
    card = await driver.send(krylova, "/lesson")
    prompt = await driver.press(krylova, button(card, "Тема"))
    assert "Следующая по плану (урок 2): Квадратные уравнения" in texts(prompt)
    # A forged press naming the Russian plan's item for the algebra lesson changes nothing.
    async with sessions() as session:
        russian = (
            await session.execute(
                select(LessonPlanItem.id).where(LessonPlanItem.external_id == "R1")
            )
        ).scalar_one()
    slot, _reader = await _slot_and_reader(sessions)
    forged = TopicTake(
        day=slot.day.toordinal(), period=1, cls=slot.class_id, grp=0, item=russian
    ).pack()
    refused = await driver.press(krylova, forged)
    assert "Эта кнопка устарела" in str(refused)
    async with sessions() as session:
        untouched = await session.scalar(
            select(Lesson.topic).where(Lesson.date == MONDAY, Lesson.period == 1)
        )
    assert untouched is None
    taken = await driver.press(krylova, button(prompt, "Взять"))
    assert "Тема сохранена: Квадратные уравнения" in texts(taken)
    async with sessions() as session:
        lesson = (
            await session.execute(
                select(Lesson.topic, Lesson.plan_item_id).where(
                    Lesson.date == MONDAY, Lesson.period == 1
                )
            )
        ).one()
        second = (
            await session.execute(
                select(LessonPlanItem.id).where(LessonPlanItem.external_id == "P2")
            )
        ).scalar_one()
    assert tuple(lesson) == ("Квадратные уравнения", second)
