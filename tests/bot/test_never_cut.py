"""Answers that never cut (issue 15 item 6): long attendance, the timetable week and typed
questions are paged, every line reachable through the page buttons; "tomorrow" before a
weekend or a holiday is the next school day, and the answer says so; a staff member who is
also a guardian has both menus."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from aiogram.types import ReplyKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.session import Outgoing
from core.exchange import service
from core.models.enums import Role
from handlers.callbacks import AnswerPage, PageOf, TimetableDay, TopicsPage
from handlers.views.limits import MESSAGE_LIMIT, visible_length
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import link, linked_olga, student_id

SATURDAY_EVENING = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # 19:00 at the school
# A subject with a long name makes each lesson line long, so a week needs several pages.
LONG_SUBJECT = "Основы духовно-нравственной культуры народов России"


async def _import(
    sessions: async_sessionmaker[AsyncSession], tables: dict[str, list[dict[str, str]]]
) -> None:
    await service.import_rows(sessions, tables, now=school.NOW, today=school.TODAY)


def _school_days(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if day.weekday() < 5]


async def _pages(driver: ChatDriver, user_id: int, first: list[Outgoing]) -> list[str]:
    """Every page of an answer, pressing "next page" from the first until there is none."""
    pages = [_answer(first)]
    calls = first
    for _ in range(50):
        following = _next_page(calls, len(pages))
        if following is None:
            return pages
        calls = await driver.press(driver.user(user_id), following)
        pages.append(_answer(calls))
    raise AssertionError("more than 50 pages")


def _answer(calls: list[Outgoing]) -> str:
    found = [c for c in calls if c.method in ("sendMessage", "editMessageText") and c.text]
    assert len(found) == 1, [c.method for c in calls]
    text = found[0].text or ""
    assert visible_length(text) <= MESSAGE_LIMIT
    return text


def _next_page(calls: list[Outgoing], shown: int) -> str | None:
    """The button to page ``shown`` (0-based) under the answer, whatever callback it is."""
    for data in button_data(calls):
        for kind in (PageOf, TimetableDay, AnswerPage, TopicsPage):
            if data.startswith(kind.__prefix__ + ":") and kind.unpack(data).page == shown:
                return data
    return None


def _lines(pages: list[str]) -> list[str]:
    return [line for page in pages for line in page.split("\n")]


async def test_a_long_attendance_is_paged_and_no_line_is_lost(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    days = _school_days(date(2026, 11, 9), date(2026, 11, 20))
    tables["attendance"] += [
        {
            "id": f"L{day:%d}{period}",
            "student": "S1",
            "date": day.isoformat(),
            "period": str(period),
            "code": "Н",
        }
        for day in days
        for period in range(3, 12)
    ]
    await _import(sessions, tables)
    await linked_olga(driver, sessions)

    first = await driver.send(driver.user(10), "/attendance")
    pages = await _pages(driver, 10, first)
    assert len(pages) >= 2
    lines = _lines(pages)
    for day in days:
        for period in range(3, 12):
            wanted = [
                line for line in lines if line.startswith(f"{day.day} ноября, урок {period}:")
            ]
            assert len(wanted) == 1, (day, period)
    assert "30 ноября, урок 2: <b>Н</b>" in "\n".join(lines)  # the school's own rows too
    assert "1 опоздание" in lines  # the totals close the last page
    assert not any("не помещается" in page for page in pages)
    assert pages[-1].endswith(f"Страница {len(pages)} из {len(pages)}")

    # A page button is only a wish: Павел, who is not Анна's guardian, gets nothing from it.
    await link(driver, sessions, 20, "G2")
    anna = await student_id(sessions, "S1")
    stolen = await driver.press(
        driver.user(20), PageOf(what="attendance", child=anna, page=1).pack()
    )
    assert [c.show_alert for c in stolen if c.method == "answerCallbackQuery"] == [True]
    assert "ноября, урок" not in texts(stolen)


def _long_week(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["subjects"].append({"id": "ODN", "name": LONG_SUBJECT})
    tables["timetable"] += [
        {
            "id": f"W{weekday}{period}",
            "class": "C7A",
            "subject": "ODN",
            "teacher": "T2",
            "weekday": str(weekday),
            "period": str(period),
            "room": "102",
            "valid_from": "2026-09-01",
        }
        for weekday in range(1, 6)
        for period in range(3, 13)
    ]


async def test_the_timetable_week_is_paged(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    _long_week(tables)
    await _import(sessions, tables)
    await linked_olga(driver, sessions)
    anna = await student_id(sessions, "S1")

    week = TimetableDay(child=anna, day=school.TODAY.toordinal(), week=True).pack()
    pages = await _pages(driver, 10, await driver.press(driver.user(10), week))
    assert len(pages) >= 2
    lines = _lines(pages)
    assert sum(LONG_SUBJECT in line for line in lines) == 5 * 10
    for day in ("понедельник, 30 ноября", "пятница, 4 декабря"):
        assert day in lines
    assert "замена, вместо Крылова Н. П." in "\n".join(lines)


async def test_a_typed_question_is_paged_and_each_page_checked_again(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    _long_week(tables)
    await _import(sessions, tables)
    await linked_olga(driver, sessions)

    pages = await _pages(driver, 10, await driver.send(driver.user(10), "расписание на неделю"))
    assert len(pages) >= 2
    assert sum(LONG_SUBJECT in line for line in _lines(pages)) == 5 * 10

    await link(driver, sessions, 20, "G2")
    data = _next_page(await driver.send(driver.user(10), "расписание на неделю"), 1)
    assert data is not None
    assert data.startswith("qa1:")
    assert len(data.encode()) <= 64
    stolen = await driver.press(driver.user(20), data)
    assert [c.show_alert for c in stolen if c.method == "answerCallbackQuery"] == [True]
    assert LONG_SUBJECT not in texts(stolen)


async def test_tomorrows_long_homework_is_paged_from_the_command(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    tables["homework"] += [
        {
            "id": f"HWL{n}",
            "class": "C7A",
            "subject": "RUS",
            "teacher": "T1",
            "assigned": "2026-11-30",
            "due": "2026-12-01",
            "text": f"Задание {n}: " + "перечитать главу и ответить на вопросы " * 12,
        }
        for n in range(1, 13)
    ]
    await _import(sessions, tables)
    await linked_olga(driver, sessions)
    pages = await _pages(driver, 10, await driver.send(driver.user(10), "/tomorrow"))
    assert len(pages) >= 2
    lines = _lines(pages)
    for n in range(1, 13):
        assert sum(f"Задание {n}: " in line for line in lines) == 1, n
    assert "№ 245, 247 &lt;все&gt;" in "\n".join(lines)
    assert pages[0].startswith("<b>Расписание: Анна Иванова, 7А</b>\nвторник, 1 декабря")


async def test_long_lesson_topics_are_paged(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    days = _school_days(date(2026, 11, 2), date(2026, 11, 27))
    tables["lessons"] = [
        {
            "id": f"LT{day:%m%d}",
            "date": day.isoformat(),
            "period": "1",
            "class": "C7A",
            "subject": "ALG",
            "teacher": "T1",
            "topic": f"Тема {day:%d.%m}: " + "решение задач повышенной сложности " * 7,
        }
        for day in days
    ]
    await _import(sessions, tables)
    await linked_olga(driver, sessions)
    pages = await _pages(driver, 10, await driver.send(driver.user(10), "темы по алгебре"))
    assert len(pages) >= 2
    lines = _lines(pages)
    shown = [day for day in days if day >= school.TODAY - timedelta(days=28)]
    for day in shown:
        assert sum(f"Тема {day:%d.%m}: " in line for line in lines) == 1, day


async def test_tomorrow_on_a_saturday_evening_answers_monday_and_says_so(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    driver.clock.move_to(SATURDAY_EVENING)
    answer = texts(await driver.send(driver.user(10), "/tomorrow"))
    assert answer.startswith("Завтра выходной; следующий учебный день — понедельник, 7 декабря.")
    assert "<b>Алгебра</b>" in answer  # Monday's lessons
    assert "воскресенье" not in answer


async def test_tomorrow_before_a_holiday_names_it(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    tables["holidays"] = [
        {"id": "H1", "name": "Зимние каникулы", "start": "2026-12-28", "end": "2027-01-10"},
        {"id": "H2", "name": "День здоровья", "start": "2026-12-08", "end": "2026-12-08"},
    ]
    await _import(sessions, tables)
    await linked_olga(driver, sessions)
    olga = driver.user(10)

    driver.clock.move_to(datetime(2026, 12, 25, 14, 0, tzinfo=UTC))  # Friday, 19:00
    answer = texts(await driver.send(olga, "/tomorrow"))
    assert answer.startswith(
        "Завтра выходной (Зимние каникулы); следующий учебный день — понедельник, 11 января."
    )
    # A teacher's "tomorrow" skips the school's holidays the same way.
    await link(driver, sessions, 50, "T1", role=Role.TEACHER)
    teacher = texts(await driver.send(driver.user(50), "/tomorrow"))
    assert teacher.startswith(
        "Завтра выходной (Зимние каникулы); следующий учебный день — понедельник, 11 января."
    )
    assert "Ваши уроки: Крылова Н. П." in teacher
    # A holiday in the middle of the week: Tuesday is skipped, Wednesday is answered.
    driver.clock.move_to(datetime(2026, 12, 7, 14, 0, tzinfo=UTC))  # Monday, 19:00
    answer = texts(await driver.send(olga, "/tomorrow"))
    assert answer.startswith(
        "Завтра выходной (День здоровья); следующий учебный день — среда, 9 декабря."
    )
    # The day before a plain school day says nothing of the kind.
    driver.clock.move_to(datetime(2026, 12, 9, 14, 0, tzinfo=UTC))  # Wednesday, 19:00
    assert "выходной" not in texts(await driver.send(olga, "/tomorrow"))


async def test_what_is_set_for_tomorrow_on_a_saturday_is_mondays_homework(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    tables["homework"].append(
        {
            "id": "HW7",
            "class": "C7A",
            "subject": "RUS",
            "teacher": "T1",
            "assigned": "2026-12-01",
            "due": "2026-12-07",
            "text": "Упражнение 112",
        }
    )
    await _import(sessions, tables)
    await linked_olga(driver, sessions)
    driver.clock.move_to(SATURDAY_EVENING)
    answer = texts(await driver.send(driver.user(10), "что задали на завтра?"))
    assert answer.startswith("Завтра выходной; следующий учебный день — понедельник, 7 декабря.")
    assert "Упражнение 112" in answer
    assert "воскресенье" not in answer
    bells = texts(await driver.send(driver.user(10), "звонки на завтра"))
    assert bells.startswith("Завтра выходной; следующий учебный день — понедельник, 7 декабря.")
    assert "08:00" in bells


def _keyboard(calls: list[Outgoing]) -> list[str]:
    markup = next(c.reply_markup for c in calls if isinstance(c.reply_markup, ReplyKeyboardMarkup))
    return [button.text for row in markup.keyboard for button in row]


async def test_a_staff_member_who_is_a_guardian_sees_both_menus(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 10, "G1")
    await link(driver, sessions, 10, "T1", role=Role.TEACHER)  # Ольга teaches at the school
    olga = driver.user(10)
    start = await driver.send(olga, "/start")
    buttons = _keyboard(start)
    for family in ("🗓 Сегодня", "➡️ Завтра", "📒 Оценки", "👪 Дети"):
        assert family in buttons
    for staff in ("📝 Урок", "👩‍🏫 Мои уроки"):
        assert staff in buttons
    assert "Ваша роль в школе: учитель" in texts(start)

    help_text = texts(await driver.send(olga, "/help"))
    for command in ("/marks", "/class", "/lesson", "/announce", "👩‍🏫 Мои уроки"):
        assert command in help_text

    child_day = texts(await driver.send(olga, "🗓 Сегодня"))
    assert "Расписание: Анна Иванова, 7А" in child_day
    own = texts(await driver.send(olga, "👩‍🏫 Мои уроки"))
    assert "Ваши уроки: Крылова Н. П." in own
    assert "<b>Алгебра</b> · каб. 201 · 7А" in own

    # A teacher alone keeps one menu: her own lessons are under 🗓 Today.
    await link(driver, sessions, 50, "T2", role=Role.TEACHER)
    orlov = await driver.send(driver.user(50), "/start")
    assert "👩‍🏫 Мои уроки" not in _keyboard(orlov)
    assert "Ваши уроки: Орлов П. И." in texts(await driver.send(driver.user(50), "🗓 Сегодня"))
    # A family member without a staff record gets nothing from the staff button.
    await link(driver, sessions, 20, "G2")
    assert "Ваши уроки" not in texts(await driver.send(driver.user(20), "👩‍🏫 Мои уроки"))


async def test_a_teachers_tomorrow_on_a_saturday_is_monday(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link(driver, sessions, 50, "T1", role=Role.TEACHER)
    driver.clock.move_to(SATURDAY_EVENING)
    answer = texts(await driver.send(driver.user(50), "/tomorrow"))
    assert answer.startswith("Завтра выходной; следующий учебный день — понедельник, 7 декабря.")
    assert "<b>Алгебра</b> · каб. 201" in answer


def test_page_buttons_stay_within_telegrams_callback_limit() -> None:
    widest = AnswerPage(
        topic="timetable",
        child=10**9,
        on=date(2099, 12, 31).toordinal(),
        day=date(2099, 12, 31).toordinal(),
        subject=10**9,
        week=True,
        presence=True,
        tomorrow=True,
        page=999,
    )
    assert len(widest.pack().encode()) <= 64
