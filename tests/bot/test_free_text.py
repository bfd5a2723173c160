"""Questions typed as free text get the same answers as the commands."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import link, linked_olga


async def test_common_questions_are_answered(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    marks = texts(await driver.send(olga, "оценки по алгебре"))
    assert "23 ноября: <b>5</b>" in marks
    homework = texts(await driver.send(olga, "что задали на завтра"))
    assert "№ 245, 247" in homework
    assert "вторник, 1 декабря" in homework
    present = texts(await driver.send(olga, "есть ли алгебра во вторник"))
    assert "Да, вторник, 1 декабря: урок 1." in present
    absent = texts(await driver.send(olga, "будет ли физика завтра"))
    assert "Физика" not in absent or "Нет" in absent
    changes = texts(await driver.send(olga, "замены"))
    assert "замена, вместо Крылова Н. П." in changes
    english = texts(await driver.send(olga, "homework for tomorrow"))
    assert "№ 245, 247" in english


async def test_what_is_not_understood_gets_a_hint_and_the_menu(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    calls = await driver.send(driver.user(10), "привет")
    assert "оценки по алгебре" in texts(calls)
    assert calls[-1].reply_markup is not None


async def test_a_teacher_without_children_is_pointed_to_her_own_commands(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 50, "T1", role=None)
    teacher = driver.user(50)
    answer = texts(await driver.send(teacher, "/today"))
    assert "/timetable" in answer
    assert "/lesson" in answer
    assert "оценки по алгебре" not in answer  # the families' examples are not hers


async def test_help_lists_what_the_account_can_use(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 50, "T1", role=None)
    teacher = driver.user(50)
    staff = texts(await driver.send(teacher, "/help"))
    for line in ("/lesson", "/plan", "/report", "/timetable — ваши уроки сегодня"):
        assert line in staff, line
    for family_only in ("/marks", "/whatif", "/child", "/ask"):
        assert family_only not in staff, family_only
    await linked_olga(driver, sessions)
    family = texts(await driver.send(driver.user(10), "/help"))
    for line in ("/marks", "/whatif", "/child", "/ask"):
        assert line in family, line
    for staff_only in ("/lesson", "/plan", "/report"):
        assert staff_only not in family, staff_only


async def test_topics_offer_the_schools_subjects(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    calls = await driver.send(driver.user(10), "/topics")
    assert "Какой предмет" in texts(calls)
    labels = [
        b.text
        for c in calls
        if c.reply_markup
        for row in c.reply_markup.inline_keyboard
        for b in row
    ]
    assert labels == ["Алгебра", "Русский язык"]


async def test_whatif_counts_the_marks_needed_and_tries_hypothetical_ones(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # Algebra up to today (30.11): 5 (w1), 4 (w2) = 13 / 3 = 4.33 (the 3 of 1.12 is not yet
    # given). A 5 needs 4.5: one more 5 of weight 1 gives 18 / 4 = 4.5, and a lighter work is
    # preferred to a control one. With 5 5 4 of weight 1: 27 / 6 = 4.5 → 5.
    await linked_olga(driver, sessions)
    answer = texts(await driver.send(driver.user(10), "/whatif алгебра 5 5 4"))
    assert "Сейчас: ср. 4,33 → 4" in answer
    assert "Для «5»: 5 (вес 1)" in answer
    assert "Для «4»: уже выходит" in answer
    assert "Если получить ещё 5 5 4: ср. 4,50 → 5" in answer

    picker = await driver.send(driver.user(10), "/whatif")
    assert "Какой предмет?" in texts(picker)


async def test_tomorrow_asked_on_a_saturday_means_the_next_school_day(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """As /tomorrow does: a parent asking on Saturday evening wants Monday's lessons."""
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    driver.clock.move_to(datetime(2026, 12, 5, 14, 0, tzinfo=UTC))  # Saturday, 19:00 at the school
    for question in ("что задали на завтра", "расписание на завтра"):
        answer = texts(await driver.send(olga, question))
        assert "понедельник, 7 декабря" in answer, question
        assert "воскресенье" not in answer, question
        # Asked about homework, the answer says there is none rather than lessons alone.
        nothing = "На этот день ничего не задано." in answer
        assert nothing == question.startswith("что задали"), question
    # A day named outright is that day, lessons or none.
    sunday = texts(await driver.send(olga, "расписание на 6 декабря"))
    assert "воскресенье, 6 декабря" in sunday
