"""Answers that never cut, the rest of them (issue 15 item 6): ``/term``, a day of
``/timetable`` (a family's and a teacher's), ``/plan`` and ``/class`` are paged; every line is on
exactly one page, the buttons move between the pages, and a page button pressed by someone who
may not read the answer is refused. ``/whatif`` stays one short message however many marks are
typed; pushes stay one message and their cut names the command that shows everything; a page
is whole on MAX too (its 4,000 characters count the markup)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from bot.console.session import Outgoing
from bot.max import render
from core.analytics.warnings import ChildOutlook, RiskLine, RiskReport, SubjectOutlook
from core.exchange import service
from core.linking.dto import ChildRef
from core.messaging.dto import Addressee
from core.messaging.notices import ThreadNotice
from core.models import RiskCase, SchoolClass, Student, Subject, Term, ThreadMessage
from core.models.enums import RiskKind, Role
from core.notify.digest import DigestChild
from core.notify.weekly import WeeklyChild, WeeklySubject
from core.services.homework import HomeworkItem
from handlers.callbacks import (
    ClassPage,
    PageOf,
    PlanPage,
    StaffDayPage,
    ThreadAction,
    TimetableDay,
)
from handlers.paging import page_of
from handlers.views.digest import digest_view
from handlers.views.limits import MESSAGE_LIMIT, pages, visible_length
from handlers.views.risk import guardian_risk_view, risk_view
from handlers.views.threads import family_notice
from handlers.views.weekly import weekly_view
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import link, linked_olga, student_id
from tests.bot.mail_kit import ask_krylova

KRYLOVA, ORLOV, OLGA, PAVEL = 50, 60, 10, 20
_KINDS: tuple[type[CallbackData], ...] = (PageOf, TimetableDay, StaffDayPage, PlanPage, ClassPage)
# A school day has at most 13 periods (0 to 12): Monday's 11 more lessons have names heavy with
# escaped characters, so that the day is more than MAX's 4,000 characters as sent.
_PERIODS = (0, *range(3, 13))


def _subject_name(n: int) -> str:
    return (f"{n:02} Основы безопасности & защиты Родины <модуль> " * 3)[:120]


def _heavy_name(n: int) -> str:
    return f"{n:02} " + "<&>" * 41


def _shown_heavy(n: int) -> str:
    return f"<b>{n:02} &lt;&amp;&gt;&lt;"


async def _import(
    sessions: async_sessionmaker[AsyncSession], tables: dict[str, list[dict[str, str]]]
) -> None:
    await service.import_rows(sessions, tables, now=school.NOW, today=school.TODAY)


def _answer(calls: list[Outgoing]) -> Outgoing:
    found = [c for c in calls if c.method in ("sendMessage", "editMessageText") and c.text]
    assert len(found) == 1, [c.method for c in calls]
    shown = found[0]
    assert visible_length(shown.text or "") <= MESSAGE_LIMIT
    assert len(shown.text or "") <= render.TEXT_LIMIT  # whole on MAX too
    return shown


def _next_page(calls: list[Outgoing], shown: int) -> str | None:
    for data in button_data(calls):
        for kind in _KINDS:
            if data.startswith(kind.__prefix__ + ":") and kind.unpack(data).page == shown:  # type: ignore[attr-defined]
                return data
    return None


async def _pages(driver: ChatDriver, user_id: int, first: list[Outgoing]) -> list[Outgoing]:
    """Every page of an answer, pressing "next page" from the first until there is none, and
    back once from the last (the buttons move both ways)."""
    user = driver.user(user_id, "en" if user_id in (KRYLOVA, ORLOV) else "ru")
    shown = [_answer(first)]
    calls = first
    while (following := _next_page(calls, len(shown))) is not None:
        assert len(shown) < 20
        calls = await driver.press(user, following)
        shown.append(_answer(calls))
    assert len(shown) >= 2
    back = _next_page(calls, len(shown) - 2)
    assert back is not None
    again = await driver.press(user, back)
    assert _answer(again).text == shown[-2].text
    return shown


def _lines(shown: list[Outgoing]) -> list[str]:
    return [line for page in shown for line in (page.text or "").split("\n")]


def _refused(calls: list[Outgoing], *secret: str) -> None:
    assert [c.show_alert for c in calls if c.method == "answerCallbackQuery"] == [True]
    assert not any(c.method in ("sendMessage", "editMessageText") for c in calls)
    for word in secret:
        assert word not in texts(calls)


async def test_a_long_term_report_is_paged(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    tables["subjects"] += [{"id": f"X{n}", "name": _subject_name(n)} for n in range(40)]
    tables["attestation"] += [
        {"id": f"AX{n}{term}", "student": "S1", "subject": f"X{n}", "kind": "term"}
        | {"term": term, "year": "Y", "value": "5"}
        for n in range(40)
        for term in ("Q1", "Q2")
    ]
    await _import(sessions, tables)
    await linked_olga(driver, sessions)

    shown = await _pages(driver, OLGA, await driver.send(driver.user(OLGA), "/term"))
    lines = _lines(shown)
    for n in range(40):
        assert sum(line.startswith(f"{n:02} Основы") for line in lines) == 1, n
    assert sum(line.startswith("Алгебра: ") for line in lines) == 1
    assert (shown[-1].text or "").endswith(f"Страница {len(shown)} из {len(shown)}")

    await link(driver, sessions, PAVEL, "G2")  # not Анна's guardian
    anna = await student_id(sessions, "S1")
    forged = PageOf(what="term", child=anna, page=1).pack()
    _refused(await driver.press(driver.user(PAVEL), forged), "Основы")


def _long_monday(tables: dict[str, list[dict[str, str]]]) -> None:
    tables["subjects"] += [{"id": f"D{p}", "name": _heavy_name(p)} for p in _PERIODS]
    tables["timetable"] += [
        {"id": f"DT{p}", "class": "C7A", "subject": f"D{p}", "teacher": "T1"}
        | {"weekday": "1", "period": str(p), "room": "102", "valid_from": "2026-09-01"}
        for p in _PERIODS
    ]


async def test_a_long_day_is_paged_for_the_family_and_for_the_teacher(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    _long_monday(tables)
    await _import(sessions, tables)
    await linked_olga(driver, sessions)

    shown = await _pages(driver, OLGA, await driver.send(driver.user(OLGA), "/timetable"))
    lines = _lines(shown)
    for p in _PERIODS:
        assert sum(_shown_heavy(p) in line for line in lines) == 1, p
    assert sum("замена, вместо Крылова Н. П." in line for line in lines) == 1
    for page in shown:  # the day's arrows stay under every page
        assert isinstance(page.reply_markup, InlineKeyboardMarkup)
        labels = [b.text for row in page.reply_markup.inline_keyboard for b in row]
        assert any("Следующий день" in label for label in labels)

    await link(driver, sessions, PAVEL, "G2")
    anna = await student_id(sessions, "S1")
    forged = TimetableDay(child=anna, day=school.TODAY.toordinal(), page=1).pack()
    _refused(await driver.press(driver.user(PAVEL), forged), "&lt;&amp;&gt;")

    # Крылова, a teacher with no child, has her own day under /timetable: paged the same way.
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    mine = await _pages(
        driver, KRYLOVA, await driver.send(driver.user(KRYLOVA, "en"), "/timetable")
    )
    own = _lines(mine)
    for p in _PERIODS:
        assert sum(_shown_heavy(p) in line and line.endswith(" · 7А") for line in own) == 1
    assert (mine[0].text or "").startswith("<b>Your lessons: Крылова Н. П.</b>")
    # A page of a staff day names no one: a guardian pressing it has no lessons to see.
    staff_page = StaffDayPage(day=school.TODAY.toordinal(), page=1).pack()
    _refused(await driver.press(driver.user(OLGA), staff_page), "&lt;&amp;&gt;")


async def test_a_teachers_tomorrow_is_paged_and_each_page_is_that_day(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables = school.tables()
    _long_monday(tables)
    await _import(sessions, tables)
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    driver.clock.move_to(datetime(2026, 12, 5, 14, 0, tzinfo=UTC))  # Saturday, 19:00

    first = await driver.send(driver.user(KRYLOVA, "en"), "/tomorrow")
    shown = await _pages(driver, KRYLOVA, first)
    assert (shown[0].text or "").startswith(
        "Tomorrow is a day off; the next school day is Monday, 7 December."
    )
    lines = _lines(shown)
    for p in _PERIODS:
        assert sum(_shown_heavy(p) in line for line in lines) == 1, p
    # Pressed on Monday, the page is still Saturday's "tomorrow": the same answer.
    driver.clock.move_to(datetime(2026, 12, 7, 5, 0, tzinfo=UTC))
    later = _next_page(first, 1)
    assert later is not None
    assert _answer(await driver.press(driver.user(KRYLOVA, "en"), later)).text == shown[1].text


async def test_long_plans_are_paged(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tables: dict[str, list[dict[str, str]]] = {
        "subjects": [{"id": f"P{n}", "name": _subject_name(n)} for n in range(25)],
        "plan": [
            {"class": "C7A", "subject": f"P{n}", "teacher": "T1", "number": "1"}
            | {"topic": f"Тема {n}: " + "повторение пройденного материала " * 3}
            | {"date": "2026-12-10"}
            for n in range(25)
        ],
    }
    await _import(sessions, tables)
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")

    shown = await _pages(driver, KRYLOVA, await driver.send(driver.user(KRYLOVA, "en"), "/plan"))
    lines = _lines(shown)
    for n in range(25):
        assert sum(f"next: Тема {n}: " in line for line in lines) == 1, n

    await linked_olga(driver, sessions)  # a guardian: no plans behind the button
    _refused(await driver.press(driver.user(OLGA), PlanPage(page=1).pack()), "Тема")


async def _cases(sessions: async_sessionmaker[AsyncSession], pupils: list[str]) -> None:
    """A falling algebra average this term for each of ``pupils``, in one transaction."""
    async with sessions() as session:
        term = await session.scalar(select(Term.id).where(Term.external_id == "Q2"))
        subject = await session.scalar(select(Subject.id).where(Subject.external_id == "ALG"))
        rows = await session.execute(
            select(Student.id, Student.school_id, Student.class_id).where(
                Student.external_id.in_(pupils)
            )
        )
        for row in rows:
            session.add(
                RiskCase(
                    school_id=row.school_id,
                    student_id=row.id,
                    subject_id=subject,
                    term_id=term,
                    class_id=row.class_id,
                    kind=RiskKind.FALLING,
                    first_seen=date(2026, 11, 27),
                    detail="4.10→3.50",
                )
            )
        await session.commit()


async def test_a_long_class_summary_is_paged_with_every_pupil_at_risk(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Forty more pupils, each a хорошист with one 4, at risk in algebra, late today."""
    more = range(40)
    tables = {
        "students": [
            {"id": f"N{n}", "last_name": f"Константинопольский{n:02}", "class": "C7A"}
            | {"first_name": "Александр", "enrolled": ""}
            for n in more
        ],
        "marks": [
            {"id": f"N{n}{s}", "student": f"N{n}", "subject": s, "date": "2026-11-20"}
            | {"value": "4" if s == "ALG" else "5", "work_type": "ANS", "teacher": "T1"}
            for n in more
            for s in ("ALG", "RUS")
        ],
        "attendance": [
            {"id": f"NA{n}", "student": f"N{n}", "date": "2026-11-30", "period": "1", "code": "ОП"}
            for n in more
        ],
    }
    await _import(sessions, tables)
    await _cases(sessions, [f"N{n}" for n in more])
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")

    first = await driver.send(driver.user(KRYLOVA, "en"), "/class")
    shown = await _pages(driver, KRYLOVA, first)
    lines = _lines(shown)
    everything = "\n".join(lines)
    assert "⚠ At risk (40):" in everything
    for n in more:
        name = f"Константинопольский{n:02} Александр"
        assert sum(line.startswith(f"• <b>{name}</b> — Алгебра") for line in lines) == 1, n
        assert sum(line.startswith(f"• {name}: lesson 1") for line in lines) == 1, n
        assert everything.count(name) == 3  # late, at risk, and among the «with one 4»
    assert " more" not in everything  # nothing left out
    for page in shown:  # "absences without a reason" stays under every page
        assert isinstance(page.reply_markup, InlineKeyboardMarkup)
        buttons = [b.text for row in page.reply_markup.inline_keyboard for b in row]
        assert any("without a reason" in text for text in buttons)

    async with sessions() as session:
        rows = await session.execute(select(SchoolClass.external_id, SchoolClass.id))
        classes = {row.external_id: row.id for row in rows}
    # Орлов leads no class; Крылова does not lead 5Б: both are refused a page of it.
    await link(driver, sessions, ORLOV, "T2", Role.TEACHER, language="en")
    forged = ClassPage(cls=classes["C7A"], page=1).pack()
    _refused(await driver.press(driver.user(ORLOV, "en"), forged), "Константинопольский")
    other = ClassPage(cls=classes["C5B"], page=0).pack()
    _refused(await driver.press(driver.user(KRYLOVA, "en"), other), "Иванов")


async def test_whatif_with_two_thousand_typed_marks_is_one_short_message(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await linked_olga(driver, sessions)
    command = "/whatif алгебра " + "5 " * 1500 + "4 " * 500
    assert len(command) <= 4096  # what Telegram lets one type
    answer = _answer(await driver.send(driver.user(OLGA), command.strip()))
    assert "5×1500, 4×500" in (answer.text or "")
    short = texts(await driver.send(driver.user(OLGA), "/whatif алгебра 5 5 4"))
    assert "5 5 4" in short


@pytest.fixture
def english() -> Iterator[I18n]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield i18n


def _one_push(text: str, command: str) -> None:
    assert visible_length(text) <= MESSAGE_LIMIT
    assert text.endswith("show it all.") or text.endswith(".")
    assert command in text.split("\n")[-1]


def test_pushes_stay_one_message_and_their_cut_names_the_command(english: I18n) -> None:
    anna = ChildRef(1, "Анна", "7А")
    day = date(2026, 12, 1)
    homework = tuple(
        HomeworkItem(
            n, 1, "Алгебра", f"Задание {n}: " + "решить " * 30, day, day, None, None, False, ()
        )
        for n in range(60)
    )
    _one_push(digest_view([DigestChild(anna, day, (), homework)]), "/tomorrow")
    subjects = tuple(
        WeeklySubject(_subject_name(n), ("5",) * 20, Decimal("4.5"), Decimal("4.4"))
        for n in range(60)
    )
    week = WeeklyChild(1, "Анна", date(2026, 11, 23), date(2026, 11, 29), subjects, 0, 0, 0)
    _one_push(weekly_view([week]), "/marks and /attendance")
    risk = RiskReport(
        day,
        tuple(
            RiskLine(f"Ученик {n}", "7А", _subject_name(n), RiskKind.FEW_MARKS, "1")
            for n in range(60)
        ),
    )
    _one_push(risk_view(risk, class_teacher=True), "/class")
    outlook = ChildOutlook(
        "Анна",
        tuple(SubjectOutlook(_subject_name(n), Decimal("2.8"), 3, (4, 4)) for n in range(60)),
    )
    _one_push(guardian_risk_view([outlook]), "/whatif")


def test_pages_heavy_with_markup_are_whole_on_max(english: I18n) -> None:
    """Lines whose markup is longer than their text: Telegram would hold 3,896 characters of
    text a page, MAX holds 4,000 with the tags; a page is sent and edited whole on both."""
    lines = [f"<b>{n}</b> " + "<i>&amp;</i>" * 40 for n in range(200)]
    data = PageOf(what="term", child=7)
    seen: list[str] = []
    page = 0
    while True:
        text, keyboard = page_of(lines, data.model_copy(update={"page": page}))
        assert render.parts(text) == [text]  # sent as one message
        assert render.cut(text) == text  # edited in place without a cut
        seen += [line for line in text.split("\n") if line.startswith("<b>")]
        payloads = [
            b["payload"] for row in render.keyboard(keyboard)[0]["payload"]["buttons"] for b in row
        ]
        assert all(PageOf.unpack(p).child == 7 for p in payloads)
        if PageOf(what="term", child=7, page=page + 1).pack() not in payloads:
            break
        page += 1
    assert page >= 1
    assert seen == lines


def test_a_line_longer_than_a_page_is_split_never_cut() -> None:
    line = "<b>" + "слово &amp; " * 1000 + "</b>"
    shown = pages([line, "конец"])
    assert len(shown) >= 3
    assert all(len(page) <= render.TEXT_LIMIT - 100 for page in shown)
    assert "".join(shown).replace("\n", "").count("слово") == 1000
    assert shown[-1].endswith("конец")


async def test_a_long_conversation_is_paged_from_its_newest_messages(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Twelve more messages, one of them longer than a page: every message is on the pages,
    the longest split between them; another family's page press is refused."""
    await link(driver, sessions, OLGA, "G1", language="en")
    await link(driver, sessions, PAVEL, "G2", language="en")
    await link(driver, sessions, KRYLOVA, "T1", None, language="en")
    await ask_krylova(driver, driver.user(OLGA, "en"))
    async with sessions() as session:
        first = (await session.execute(select(ThreadMessage))).scalar_one()
        for n in range(12):
            words = "слово & " * 600 if n == 5 else "длинный текст вопроса " * 15
            session.add(
                ThreadMessage(
                    thread_id=first.thread_id,
                    author_kind=first.author_kind,
                    author_account_id=first.author_account_id,
                    author_guardian_id=first.author_guardian_id,
                    text=f"Сообщение {n}: {words}",
                    created_at=first.created_at + timedelta(minutes=n + 1),
                )
            )
        await session.commit()
        thread = first.thread_id
    olga = driver.user(OLGA, "en")
    calls = await driver.press(olga, ThreadAction(thread=thread, act="open").pack())
    shown = [_answer(calls)]
    while True:
        earlier = [d for d in button_data(calls) if d.startswith("th1:") and ":page:" in d]
        back = ThreadAction(thread=thread, act="page", arg=len(shown)).pack()
        if back not in earlier:
            break
        calls = await driver.press(olga, back)
        shown.append(_answer(calls))
        assert len(shown) < 20
    assert len(shown) >= 3
    assert "Сообщение 11:" in (shown[0].text or "")  # it opens on the newest
    assert (shown[0].text or "").endswith(f"Page {len(shown)} of {len(shown)}")
    everything = "\n".join(page.text or "" for page in shown)
    for n in range(12):
        assert everything.count(f"Сообщение {n}:") == 1, n
    assert everything.count("Когда контрольная по алгебре?") == 1
    assert everything.count("&amp;") == 600  # the longest split, never cut
    later = ThreadAction(thread=thread, act="page", arg=len(shown) - 2).pack()
    assert later in button_data(calls)
    assert _answer(await driver.press(olga, later)).text == shown[-2].text

    forged = ThreadAction(thread=thread, act="page", arg=1).pack()
    _refused(await driver.press(driver.user(PAVEL, "en"), forged), "Сообщение")


def test_an_answer_longer_than_its_push_shows_what_fits_and_where_the_rest_is(
    english: I18n,
) -> None:
    """A teacher's answer of a whole message's length: the push keeps its beginning (not only
    the heading) and sends the family to the conversation, which is paged."""
    notice = ThreadNotice(
        thread_id=7, message_id=9, to_staff=False, first=False, child="Анна", class_name="7А",
        subject="Алгебра", addressed_as=Addressee.TEACHER, asker="Ольга", staff="Крылова Н. П.",
        text="Ответ: " + "подробно & по шагам " * 204, attachments=(), to_all_guardians=False,
    )  # fmt: skip
    text, _keyboard = family_notice(notice)
    assert visible_length(text) <= MESSAGE_LIMIT
    assert "Ответ: подробно &amp; по шагам" in text
    assert text.count("подробно") > 100  # most of it, not a bare heading
    assert text.endswith("🗂 Conversation shows it all.")
