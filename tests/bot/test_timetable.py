"""``/timetable`` and ``/tomorrow`` against the tiny school's hand-made week (see school.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.bot import school
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, audit_actions, invite, link


async def test_today_shows_bells_rooms_teachers_and_the_substitution(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    answer = texts(await driver.send(driver.user(10), "/timetable"))
    assert "понедельник, 30 ноября" in answer
    assert "1. 08:00–08:45 <b>Алгебра</b> · каб. 201 · Крылова Н. П." in answer
    assert "2. 08:55–09:40 <b>Русский язык</b> · каб. 305 · Орлов П. И." in answer
    assert "замена, вместо Крылова Н. П." in answer


async def test_tomorrow_is_the_next_school_day_with_the_cancellation_and_homework(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    answer = texts(await driver.send(driver.user(10), "/tomorrow"))
    assert "вторник, 1 декабря" in answer
    assert "<s>Русский язык</s> — <b>отменён</b>" in answer
    assert "• <b>Алгебра</b>: № 245, 247 &lt;все&gt;" in answer  # escaped school text
    assert "• <b>Алгебра</b> (индивидуальное): Работа над ошибками" in answer


async def test_a_classmate_does_not_see_anothers_individual_homework(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dmitry = driver.user(40)
    await driver.contact(dmitry, school.DMITRY_PHONE)
    await driver.press(dmitry, AGREE)
    answer = texts(await driver.send(dmitry, "/tomorrow"))
    assert "№ 245, 247" in answer
    assert "Работа над ошибками" not in answer


async def test_a_child_in_a_class_without_lessons_today_gets_no_lessons(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    from handlers.callbacks import PickChild
    from tests.bot.helpers import student_id

    await driver.press(
        driver.user(10), PickChild(student_id=await student_id(sessions, "S2")).pack()
    )
    answer = texts(await driver.send(driver.user(10), "/timetable"))
    assert "Борис Иванов, 5Б" in answer
    assert "Уроков нет." in answer
    assert "Алгебра" not in answer


async def test_a_teacher_sees_their_own_lessons_with_the_substitution_applied(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    teacher = driver.user(50)
    await driver.send(teacher, f"/start {await invite(sessions, 'T1', None)}")
    await driver.press(teacher, AGREE)
    answer = texts(await driver.send(teacher, "/timetable"))
    assert "<b>Ваши уроки: Крылова Н. П.</b>" in answer
    # Her own name is in the heading only, not repeated on every lesson.
    assert "1. 08:00–08:45 <b>Алгебра</b> · каб. 201 · 7А" in answer
    assert answer.count("Крылова Н. П.") == 1
    assert "Русский язык" not in answer  # Орлов takes her Russian today


async def test_days_and_the_week_are_one_press_away(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from datetime import date

    from handlers.callbacks import TimetableDay
    from tests.bot.driver import button_data
    from tests.bot.helpers import student_id

    await link(driver, sessions, 10, "G1")
    olga = driver.user(10)
    anna = await student_id(sessions, "S1")
    today = await driver.send(olga, "/timetable")
    week = TimetableDay(child=anna, day=date(2026, 11, 30).toordinal(), week=True)
    assert week.pack() in button_data(today)
    answer = texts(await driver.press(olga, week.pack()))
    assert "понедельник, 30 ноября" in answer
    assert "вторник, 1 декабря" in answer
    sunday = TimetableDay(child=anna, day=date(2026, 11, 29).toordinal())
    assert "Уроков нет." in texts(await driver.press(olga, sunday.pack()))
    await link(driver, sessions, 20, "G2")
    refused = await driver.press(driver.user(20), week.pack())
    assert "Алгебра" not in texts(refused)
    assert any(c.show_alert for c in refused)


@contextmanager
def _statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL the engine runs inside the block, COMMIT included (the ``commit`` event)."""
    found: list[str] = []

    def statement(*args: Any) -> None:
        found.append(str(args[2]))

    def commit(_connection: Any) -> None:
        found.append("COMMIT")

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "commit", commit)
    try:
        yield found
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        event.remove(engine.sync_engine, "commit", commit)


async def test_tomorrow_and_changes_read_the_student_class_and_holidays_once(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    """Issue 14: /tomorrow ran 38 statements on the demo school, /changes 31; the account is
    one statement, today's lessons are not built for /tomorrow, and what both days share
    (student, class, holidays, groups, names) is read once. Audit records are as before."""
    await link(driver, sessions, 10, "G1")
    before = await audit_actions(sessions)
    with _statements(engine) as tomorrow:
        answer = texts(await driver.send(driver.user(10), "/tomorrow"))
    assert "вторник, 1 декабря" in answer
    with _statements(engine) as changes:
        texts(await driver.send(driver.user(10), "/changes"))
    actions = (await audit_actions(sessions))[len(before) :]
    # Both days' timetables and the homework are recorded, as before the rewrite.
    assert actions == ["read_timetable"] * 2 + ["read_homework"] + ["read_timetable"] * 2
    for found in (tomorrow, changes):
        sql = [s for s in found if s != "COMMIT"]
        assert sum("FROM accounts" in s for s in sql) == 1  # the account: one statement
        assert sum("FROM holidays" in s for s in sql) == 1
        assert sum("FROM school_classes" in s and "academic_years" in s for s in sql) == 1
        assert sum("FROM group_members" in s for s in sql) <= 2  # timetable, homework
        assert found[-1] == "COMMIT"  # the audit records are committed with the answer
    assert len(tomorrow) <= 23
    assert len(changes) <= 20


async def test_an_update_that_writes_nothing_is_not_committed(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    """The session middleware skips the commit when the update only read (the floor of every
    answer); an answer that audits a read is committed."""
    await link(driver, sessions, 10, "G1")
    with _statements(engine) as menu:
        await driver.send(driver.user(10), "/help")
    assert [s for s in menu if "FROM accounts" in s] == menu[:1]
    assert "COMMIT" not in menu
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in menu)
    with _statements(engine) as read:
        await driver.send(driver.user(10), "/timetable")
    assert read[-1] == "COMMIT"
    assert any(s.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for s in read)
