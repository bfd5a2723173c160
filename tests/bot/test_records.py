"""``/attendance`` and ``/term`` for the tiny school's hand-made records (see school.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import linked_olga


async def test_attendance_lists_codes_without_health_reasons_and_totals(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    answer = texts(await driver.send(driver.user(10), "/attendance"))
    assert "2 четверть: 9 ноября – 30 ноября" in answer
    assert "30 ноября, урок 2: <b>Н</b> — отсутствовал без уважительной причины" in answer
    assert "24 ноября, весь день: <b>Б</b>" in answer
    assert "23 ноября, урок 1: <b>ОП</b>" in answer
    assert "Пропущен 1 урок (без уважительной причины — 1" in answer
    assert "ОРВИ" not in answer  # an absence reason is health data
    assert "1 опоздание" in answer


async def test_term_marks_show_quarters_for_grade_seven(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    answer = texts(await driver.send(driver.user(10), "/term"))
    assert "Алгебра: 1 ч. <b>5</b> · 2 ч. — · год —" in answer
    assert "Русский язык: 1 ч. <b>4</b>" in answer


async def test_records_are_not_shown_to_an_unlinked_user(driver: ChatDriver) -> None:
    for command in ("/attendance", "/term"):
        answer = texts(await driver.send(driver.user(99), command))
        assert "Алгебра" not in answer
        assert "/start" in answer


async def test_homework_changes_debts_and_events(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    homework = texts(await driver.send(olga, "/homework"))
    assert "• до 1 декабря: № 245, 247 &lt;все&gt;" in homework
    assert "• до 1 декабря (индивидуальное): Работа над ошибками" in homework

    changes = texts(await driver.send(olga, "/changes"))
    assert "понедельник, 30 ноября" in changes
    assert "замена, вместо Крылова Н. П." in changes
    assert "вторник, 1 декабря" in changes
    assert "<s>Русский язык</s> — <b>отменён</b>" in changes
    assert "Алгебра" not in changes  # unchanged lessons are not repeated

    assert "Задолженностей нет" in texts(await driver.send(olga, "/debts"))

    events = texts(await driver.send(olga, "/events"))
    assert "• 3 декабря, 18:00: <b>Родительское собрание</b> · каб. 201" in events
    assert "Осенний бал" not in events  # in the past


async def test_bells_with_breaks(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    answer = texts(await driver.send(driver.user(10), "/bells"))
    assert "<b>Звонки: 7А, смена 1</b>" in answer
    assert "1. 08:00–08:45\n    перемена 10 мин\n2. 08:55–09:40" in answer


async def test_homework_attachments_are_sent_as_files(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    for command in ("/homework", "/tomorrow"):
        calls = await driver.send(driver.user(10), command)
        documents = [c for c in calls if c.method == "sendDocument"]
        assert len(documents) == 1, command
        assert "Алгебра: 245.pdf" in (documents[0].text or "")


async def test_a_long_homework_list_is_paged_and_each_page_rechecked(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from core.exchange import service
    from handlers.callbacks import PageOf
    from tests.bot import school
    from tests.bot.driver import button_data
    from tests.bot.helpers import link, student_id

    data = school.tables()
    data["homework"] += [
        {
            "id": f"HL{n}",
            "class": "C7A",
            "subject": "ALG",
            "teacher": "T1",
            "assigned": "2026-11-30",
            "due": "2026-12-02",
            "text": f"Задача {n}: " + "слово " * 40,
        }
        for n in range(40)
    ]
    await service.import_rows(sessions, data, now=school.NOW, today=school.TODAY)
    await linked_olga(driver, sessions)
    olga = driver.user(10)
    first = await driver.send(olga, "/homework")
    assert "Страница 1 из 3" in texts(first)
    anna = await student_id(sessions, "S1")
    second = PageOf(what="homework", child=anna, page=1).pack()
    assert second in button_data(first)
    assert "Страница 2 из 3" in texts(await driver.press(olga, second))
    await link(driver, sessions, 20, "G2")
    refused = await driver.press(driver.user(20), second)
    assert any(c.show_alert for c in refused)
    assert "Задача" not in texts(refused)
