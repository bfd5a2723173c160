"""``/marks`` through the real dispatcher, with the values worked out by hand in school.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.callbacks import MarksSubject, MarksWeek, PickChild
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import AGREE, link, student_id

MONDAY = date(2026, 11, 30)


async def test_the_week_shows_marks_average_and_suggested_mark(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    calls = await driver.send(driver.user(10), "/marks")
    answer = texts(calls)
    assert "Анна Иванова, 7А" in answer
    assert "30 ноября – 6 декабря" in answer
    assert "Алгебра: <b>4</b> 3 · ср. 4,00 → 4" in answer  # the 5 is in an earlier week
    anna = await student_id(sessions, "S1")
    data = button_data(calls)
    assert MarksWeek(child=anna, monday=date(2026, 11, 23).toordinal()).pack() in data
    assert all(len(d.encode()) <= 64 for d in data)


async def test_one_subject_lists_every_mark_of_the_term_with_details(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    anna = await student_id(sessions, "S1")
    alg = MarksSubject(child=anna, subject=await _subject(sessions), day=MONDAY.toordinal())
    answer = texts(await driver.press(driver.user(10), alg.pack()))
    assert "23 ноября: <b>5</b> (Ответ на уроке, вес 1, Крылова Н. П.)" in answer
    assert "30 ноября: <b>4</b> (Контрольная работа, вес 2, Крылова Н. П.)" in answer
    assert "Ошибка в задаче 3 &amp; 4" in answer  # the teacher's comment, escaped
    assert "1 декабря" not in answer  # after the day asked for


async def test_the_previous_week_is_one_press_away(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    anna = await student_id(sessions, "S1")
    week = MarksWeek(child=anna, monday=date(2026, 11, 23).toordinal())
    answer = texts(await driver.press(driver.user(10), week.pack()))
    assert "23 ноября – 29 ноября" in answer
    assert "Алгебра: 5 · ср. 4,00 → 4" in answer


async def test_another_familys_child_is_refused_in_every_diary_callback(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 20, "G2")  # father of Дмитрий only
    anna = await student_id(sessions, "S1")
    subject = await _subject(sessions)
    for data in (
        MarksWeek(child=anna, monday=MONDAY.toordinal()).pack(),
        MarksSubject(child=anna, subject=subject, day=MONDAY.toordinal()).pack(),
        PickChild(student_id=anna).pack(),
        MarksWeek(child=anna, monday=-5).pack(),
    ):
        calls = await driver.press(driver.user(20), data)
        assert "Анна" not in texts(calls)
        assert "Алгебра" not in texts(calls)
        assert any(c.show_alert for c in calls), data


async def test_a_student_sees_their_own_marks(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    dmitry = driver.user(40)
    await driver.contact(dmitry, school.DMITRY_PHONE)
    await driver.press(dmitry, AGREE)
    answer = texts(await driver.send(dmitry, "/marks"))
    assert "Дмитрий Петров, 7А" in answer
    assert "Алгебра: 2 · ср. 2,00 → 2" in answer


async def test_an_unlinked_user_is_told_to_link_first(driver: ChatDriver) -> None:
    answer = texts(await driver.send(driver.user(99), "/marks"))
    assert "/start" in answer
    assert "Алгебра" not in answer


async def _subject(sessions: async_sessionmaker[AsyncSession]) -> int:
    from sqlalchemy import select

    from core.models import Subject

    async with sessions() as session:
        found: int = (
            await session.execute(select(Subject.id).where(Subject.external_id == "ALG"))
        ).scalar_one()
        return found


async def test_the_whole_term_and_the_terms_around_it(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from handlers.callbacks import MarksTerm

    await link(driver, sessions, 10, "G1")
    anna = await student_id(sessions, "S1")
    olga = driver.user(10)
    week = await driver.send(olga, "/marks")
    term = MarksTerm(child=anna, day=date(2026, 12, 6).toordinal())
    assert term.pack() in button_data(week)
    answer = texts(await driver.press(olga, term.pack()))
    assert "2 четверть" in answer
    assert "Алгебра: 5 <b>4</b> 3 · ср. 4,00 → 4" in answer
    earlier = MarksTerm(child=anna, day=date(2026, 12, 27).toordinal(), step=-1)
    answer = texts(await driver.press(olga, earlier.pack()))
    assert "1 четверть" in answer
    assert "Оценок пока нет." in answer
    later = await driver.press(olga, MarksTerm(child=anna, day=term.day, step=1).pack())
    assert any(c.show_alert for c in later)
    pavel_calls = await driver.press(driver.user(20), term.pack())
    assert "Алгебра" not in texts(pavel_calls)
