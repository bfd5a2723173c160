"""``/report`` in the chat: the head teacher picks this term, a class, 7А, and reads the
figures worked out by hand from tests/bot/school.py; the XLSX, PDF and CSV buttons send the
files. Then a subject over the school, a teacher's report, the student movement, and the
refusals of forged buttons.

7А, second quarter, on averages: algebra Анна 5 (w1), 4 (w2), 3 (w1) → 4.00 → 4, Дмитрий 2
→ N 2, quality 50 %, success 50 %, СОУ (64 + 16) / 2 = 40, average 3. Russian: no marks. By
pupils: Анна хорошистка с одной 4, Дмитрий неуспевающий: quality 50 %, success 50 %.

Орлов (T2) is made head teacher; Крылова (T1) leads 7А; a second teacher (T3) leads nothing.
Users speak English, so the tests do not depend on the Russian catalogue.
"""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_i18n
from core.exchange import service
from core.models import AuditRecord, SchoolClass, Staff, StaffRole, Subject
from core.models.enums import Role
from core.reports.by_marks import Counts, MarksReport, SubjectRow
from core.reports.period import ReportPeriod
from core.reports.rules import ReportRules
from core.services.movement import Change, ClassMovement, MovementReport, MovementRow
from handlers.paging import page_of
from handlers.views import report as views
from handlers.views.limits import visible_length
from handlers.views.report import ReportPick
from tests.bot import school
from tests.bot.driver import ChatDriver, button_data, texts
from tests.bot.helpers import audit_actions, link

OLGA, HEAD, KRYLOVA, PLAIN = 10, 60, 50, 70


@pytest.fixture
def documents(driver: ChatDriver, monkeypatch: pytest.MonkeyPatch) -> list[SendDocument]:
    """Every sendDocument the bot makes, with its bytes."""
    sent: list[SendDocument] = []
    original = driver.session.make_request

    async def recording(bot: Any, method: Any, timeout: int | None = None) -> Any:  # noqa: ASYNC109
        if isinstance(method, SendDocument):
            sent.append(method)
        return await original(bot, method, timeout)

    monkeypatch.setattr(driver.session, "make_request", recording)
    return sent


@pytest.fixture
async def staff(driver: ChatDriver, sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Орлов made head teacher, a third teacher hired; the three staff linked, in English."""
    new_teacher = {"id": "T3", "last_name": "Зуев", "first_name": "Иван", "roles": "teacher"}
    await service.import_rows(
        sessions, {"staff": [new_teacher]}, now=school.NOW, today=school.TODAY
    )
    async with sessions() as session:
        orlov = (
            await session.execute(select(Staff.id).where(Staff.external_id == "T2"))
        ).scalar_one()
        session.add(StaffRole(staff_id=orlov, role=Role.HEAD_TEACHER))
        classes = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        await session.commit()
    await link(driver, sessions, HEAD, "T2", Role.TEACHER, language="en")
    await link(driver, sessions, KRYLOVA, "T1", Role.TEACHER, language="en")
    await link(driver, sessions, PLAIN, "T3", Role.TEACHER, language="en")
    return classes


def _data(calls: list[Any], prefix: str) -> str:
    return next(d for d in button_data(calls) if d.startswith(prefix))


async def test_the_head_teacher_walks_the_pickers_and_reads_the_figures(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    head = driver.user(HEAD, "en")
    asked = await driver.send(head, "/report")
    assert "for which period" in texts(asked)
    term = ReportPick(per="t").pack()
    assert term in button_data(asked)
    forms = await driver.press(head, term)
    parallel = ReportPick(per="t", form="p").pack()
    assert parallel in button_data(forms)  # the administration may pick a parallel
    classes = await driver.press(head, ReportPick(per="t", form="c").pack())
    assert ReportPick(per="t", form="c", id=staff["5Б"]).pack() in button_data(classes)
    pick = ReportPick(per="t", form="c", id=staff["7А"]).pack()
    assert len(pick.encode()) < 64
    shown = texts(await driver.press(head, pick))
    assert "<b>7А</b>, term 2" in shown
    algebra = next(line for line in shown.splitlines() if line.startswith("Алгебра"))
    assert algebra.removesuffix("</pre>").split() == ["Алгебра", "2", "50", "50", "40", "3"]
    assert "<pre>Subject     N  Q%  S%  SOU  Avg\n" in shown
    pre = shown[shown.index("<pre>") + 5 : shown.index("</pre>")]
    assert max(len(line) for line in pre.splitlines()) <= 32  # fits a phone
    assert "with one 4: Иванова Анна" in shown
    assert "Failing: 1" in shown
    assert "Quality 50 %, success 50 %" in shown
    assert "read_report" in await audit_actions(sessions)

    xlsx = ReportPick(per="t", form="c", id=staff["7А"], act="x").pack()
    assert xlsx in button_data(await driver.press(head, pick))
    await driver.press(head, xlsx)
    [sent] = documents
    assert isinstance(sent.document, BufferedInputFile)
    assert sent.document.filename == "отчёт-7А.xlsx"
    book = load_workbook(io.BytesIO(sent.document.data))
    assert book.sheetnames == ["По предметам", "По обучающимся", "Посещаемость"]
    rows = list(book["По предметам"].iter_rows(min_row=3, values_only=True))
    assert rows[0][:3] == ("Алгебра", "по средним баллам за период", 2)
    await driver.press(head, xlsx.replace(":x:", ":p:"))
    await driver.press(head, xlsx.replace(":x:", ":c:"))
    (pdf_name, pdf), (zip_name, packed) = [_file(d) for d in documents[1:]]
    assert (pdf_name, zip_name) == ("отчёт-7А.pdf", "отчёт-7А-csv.zip")
    assert pdf.startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert archive.namelist() == [
            "отчёт-7А-subjects.csv",
            "отчёт-7А-pupils.csv",
            "отчёт-7А-attendance.csv",
        ]

    grade = texts(await driver.press(head, ReportPick(per="y", form="p", id=7).pack()))
    assert "Grade 7, all classes" in grade
    assert "the year" in grade


async def test_a_class_teacher_sees_only_the_class_they_lead(
    driver: ChatDriver, staff: dict[str, int]
) -> None:
    krylova = driver.user(KRYLOVA, "en")
    await driver.send(krylova, "/report")
    forms = await driver.press(krylova, ReportPick(per="y").pack())
    assert ReportPick(per="y", form="p").pack() not in button_data(forms)
    classes = await driver.press(krylova, ReportPick(per="y", form="c").pack())
    assert button_data(classes) == [ReportPick(per="y", form="c", id=staff["7А"]).pack()]
    shown = texts(await driver.press(krylova, ReportPick(per="y", form="c", id=staff["7А"]).pack()))
    assert "<b>7А</b>, the year" in shown
    # A forged press for another class, or a parallel (for the school-wide only), is refused
    # by the core.
    for forged in (
        ReportPick(per="t", form="c", id=staff["5Б"]).pack(),
        ReportPick(per="t", form="p", id=5).pack(),
    ):
        [answer] = await driver.press(krylova, forged)
        assert answer.show_alert
        assert "not available" in (answer.text or "")


async def test_a_parent_and_a_teacher_without_a_class_are_refused(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    await link(driver, sessions, OLGA, "G1", language="en")
    olga = driver.user(OLGA, "en")
    plain = driver.user(PLAIN, "en")
    for user in (olga, plain):
        refused = await driver.send(user, "/report")
        assert "administration and class teachers" in texts(refused)
        assert button_data(refused) == []
        # Pressing the buttons anyway: the pickers refuse, and so does the report itself.
        [step] = await driver.press(user, ReportPick(per="t", form="c").pack())
        assert step.show_alert
        for forged in (
            ReportPick(per="t", form="c", id=staff["7А"]).pack(),
            ReportPick(per="t", form="c", id=staff["7А"], act="x").pack(),
        ):
            [answer] = await driver.press(user, forged)
            assert answer.show_alert
            assert "Алгебра" not in (answer.text or "")
    assert documents == []


async def test_nonsense_in_the_button_is_refused(driver: ChatDriver, staff: dict[str, int]) -> None:
    head = driver.user(HEAD, "en")
    for data in (
        "rp2:q:c:0:::0",
        "rp2:t:z:0:::0",
        f"rp2:t:c:{10**9}:::0",
        "rp2:t:s:1:x:q:0",
        "rp2:t:c:1:z::0",
        "rp2:t::5:::0",
    ):
        [answer] = await driver.press(head, data)
        assert answer.show_alert


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Subjects by name, staff by the school's id."""
    async with sessions() as session:
        subjects = dict((await session.execute(select(Subject.name, Subject.id))).all())
        people = (await session.execute(select(Staff.external_id, Staff.id))).all()
    return {**subjects, **{key: staff_id for key, staff_id in people if key}}


def _file(sent: SendDocument) -> tuple[str, bytes]:
    assert isinstance(sent.document, BufferedInputFile)
    return sent.document.filename or "", sent.document.data


def _pre_lines(shown: str) -> list[str]:
    return html.unescape(shown[shown.index("<pre>") + 5 : shown.index("</pre>")]).splitlines()


async def test_the_head_teacher_reads_a_subject_over_the_school_with_its_files(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    ids = await _ids(sessions)
    head = driver.user(HEAD, "en")
    forms = button_data(await driver.press(head, ReportPick(per="t").pack()))
    for form in ("c", "p", "s", "e", "m"):
        assert ReportPick(per="t", form=form).pack() in forms
    subjects = button_data(await driver.press(head, ReportPick(per="t", form="s").pack()))
    assert subjects == [
        ReportPick(per="t", form="s", id=ids["Алгебра"]).pack(),
        ReportPick(per="t", form="s", id=ids["Русский язык"]).pack(),
    ]
    scopes = button_data(await driver.press(head, subjects[0]))
    whole = ReportPick(per="t", form="s", id=ids["Алгебра"], g="s").pack()
    # The grades offered are those whose classes have algebra: 7А does, 5Б has no lesson of it.
    assert scopes == [whole, ReportPick(per="t", form="s", id=ids["Алгебра"], g="7").pack()]
    answer = await driver.press(head, whole)
    shown = texts(answer)
    assert "<b>Алгебра</b>, the whole school, this term" in shown
    lines = _pre_lines(shown)
    assert max(len(line) for line in lines) <= 32
    assert [line.split() for line in lines[1:]] == [["Алгебра", "2", "50", "50", "40", "3"]]
    acts = [ReportPick(per="t", form="s", id=ids["Алгебра"], g="s", act=a).pack() for a in "xpc"]
    assert button_data(answer) == acts
    for act in acts:
        await driver.press(head, act)
    (xlsx_name, xlsx), (pdf_name, pdf), (zip_name, packed) = [_file(d) for d in documents]
    assert xlsx_name == "предмет-Алгебра-школа.xlsx"
    assert load_workbook(io.BytesIO(xlsx)).sheetnames == ["По предметам"]
    assert pdf_name == "предмет-Алгебра-школа.pdf"
    assert pdf.startswith(b"%PDF")
    assert zip_name == "предмет-Алгебра-школа-csv.zip"
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert archive.namelist() == ["предмет-Алгебра-школа-subjects.csv"]
        content = archive.read("предмет-Алгебра-школа-subjects.csv").decode("utf-8-sig")
    assert content.splitlines()[1].startswith("Алгебра;")
    assert "CSV" in (documents[2].caption or "")
    assert "ZIP" in (documents[2].caption or "")

    # Grade 5 has no algebra marks; a grade the school lacks is not available.
    in_grade = ReportPick(per="t", form="s", id=ids["Алгебра"], g="5").pack()
    grade = texts(await driver.press(head, in_grade))
    assert "<b>Алгебра</b>, grade 5" in grade
    assert "No marks yet." in grade
    [missing] = await driver.press(head, in_grade.replace(":5:", ":9:"))
    assert missing.show_alert


async def test_the_head_teacher_reads_a_teachers_report(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    ids = await _ids(sessions)
    head = driver.user(HEAD, "en")
    teachers = await driver.press(head, ReportPick(per="t", form="e").pack())
    # Only Крылова teaches this year (Орлов's one substitution is no load; Зуев teaches none).
    krylova = ReportPick(per="t", form="e", id=ids["T1"]).pack()
    assert button_data(teachers) == [krylova]
    [keyboard] = [c.reply_markup for c in teachers if c.reply_markup is not None]
    assert isinstance(keyboard, InlineKeyboardMarkup)
    assert keyboard.inline_keyboard[0][0].text == "Крылова Н. П."
    answer = await driver.press(head, krylova)
    shown = texts(answer)
    assert "<b>Крылова Н. П.</b>" in shown
    assert "term 2" in shown
    lines = _pre_lines(shown)
    assert max(len(line) for line in lines) <= 32
    assert ["Алгебра", "2", "50", "50", "40", "3"] in [line.split() for line in lines]
    assert "Keeping the journal" in shown
    assert "7А Алгебра: lessons" in shown
    assert len(shown) < 4096
    acts = [b for b in button_data(answer) if b.startswith(krylova[:-4])]
    assert len(acts) == 3
    for act in "xpc":
        await driver.press(head, ReportPick(per="t", form="e", id=ids["T1"], act=act).pack())
    (_, xlsx), (_, pdf), (_, packed) = [_file(d) for d in documents]
    assert load_workbook(io.BytesIO(xlsx)).sheetnames == ["По предметам", "Ведение журнала"]
    assert pdf.startswith(b"%PDF")
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        names = archive.namelist()
    assert [name.rsplit("-", 1)[-1] for name in names] == ["subjects.csv", "keeping.csv"]


async def test_the_movement_for_the_year_and_the_term(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    head = driver.user(HEAD, "en")
    year = ReportPick(per="y", form="m").pack()
    answer = await driver.press(head, year)
    shown = texts(answer)
    assert "<b>Student movement</b>, 01.09.2026 – 31.05.2027" in shown
    lines = _pre_lines(shown)
    assert max(len(line) for line in lines) <= 32
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows == {"5Б": ["0", "1", "0", "0", "1", "0"], "7А": ["0", "2", "0", "0", "0", "2"]}
    assert "01.09 Иванова Анна: arrived in 7А" in shown
    assert "07.12 Иванов Борис: left 5Б" in shown
    # No printed version of the movement: XLSX and CSV only.
    assert button_data(answer) == [
        ReportPick(per="y", form="m", act="x").pack(),
        ReportPick(per="y", form="m", act="c").pack(),
    ]
    [refused] = await driver.press(head, ReportPick(per="y", form="m", act="p").pack())
    assert refused.show_alert
    await driver.press(head, ReportPick(per="y", form="m", act="x").pack())
    await driver.press(head, ReportPick(per="y", form="m", act="c").pack())
    (_, xlsx), (zip_name, packed) = [_file(d) for d in documents]
    assert load_workbook(io.BytesIO(xlsx)).sheetnames == ["Движение", "Движение поимённо"]
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        assert archive.namelist() == [
            "движение-20260901-20270531-movement.csv",
            "движение-20260901-20270531-movement-pupils.csv",
        ]
    assert zip_name == "движение-20260901-20270531-csv.zip"
    term = texts(await driver.press(head, ReportPick(per="t", form="m").pack()))
    assert "09.11.2026 – 27.12.2026" in term  # the second quarter
    assert "read_movement" in await audit_actions(sessions)


async def _granted_since(sessions: async_sessionmaker[AsyncSession], after: int) -> list[bool]:
    async with sessions() as session:
        rows = await session.scalars(
            select(AuditRecord.details).where(AuditRecord.id > after).order_by(AuditRecord.id)
        )
        return [bool((d or {}).get("granted")) for d in rows]


async def _last_audit(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.scalar(select(AuditRecord.id).order_by(AuditRecord.id.desc()))
        return int(found or 0)


async def test_a_teacher_reads_their_own_subjects_and_nobody_elses(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    ids = await _ids(sessions)
    krylova = driver.user(KRYLOVA, "en")
    forms = button_data(await driver.press(krylova, ReportPick(per="t").pack()))
    own = ReportPick(per="t", form="e", id=ids["T1"]).pack()
    assert forms == [ReportPick(per="t", form="c").pack(), own]  # no subject, parallel, movement
    shown = texts(await driver.press(krylova, own))
    assert "<b>Крылова Н. П.</b>" in shown
    before = await _last_audit(sessions)
    for forged in (
        ReportPick(per="t", form="e", id=ids["T2"]).pack(),
        ReportPick(per="t", form="e", id=ids["T2"], act="x").pack(),
        ReportPick(per="t", form="s", id=ids["Алгебра"], g="s").pack(),
        ReportPick(per="t", form="s", id=ids["Алгебра"], g="7").pack(),
        ReportPick(per="y", form="m").pack(),
        ReportPick(per="y", form="p", id=7).pack(),
    ):
        [answer] = await driver.press(krylova, forged)
        assert answer.show_alert
        assert "not available" in (answer.text or "")
    # Nothing read: the refusals are the only records.
    assert set(await _granted_since(sessions, before)) == {False}
    assert documents == []


async def test_a_guardian_gets_the_refusal_for_every_forged_report(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
    documents: list[SendDocument],
) -> None:
    ids = await _ids(sessions)
    await link(driver, sessions, OLGA, "G1", language="en")
    olga = driver.user(OLGA, "en")
    assert "administration and class teachers" in texts(await driver.send(olga, "/report"))
    before = await _last_audit(sessions)
    for forged in (
        ReportPick(per="t", form="e", id=ids["T1"]).pack(),
        ReportPick(per="t", form="s", id=ids["Алгебра"], g="s", act="c").pack(),
        ReportPick(per="y", form="m", act="x").pack(),
        ReportPick(per="t", form="s").pack(),
    ):
        [answer] = await driver.press(olga, forged)
        assert answer.show_alert
        assert "Крылова" not in (answer.text or "")
    assert True not in await _granted_since(sessions, before)
    assert documents == []


async def test_a_long_teacher_list_is_paged(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], staff: dict[str, int]
) -> None:
    """30 more teachers, each with a slot in 5Б: the list shows 24 and a button onwards."""
    teachers = [
        {"id": f"P{n:02}", "last_name": f"Учитель{n:02}", "first_name": "Анна", "roles": "teacher"}
        for n in range(30)
    ]
    slots = [
        {
            "id": f"TP{n:02}",
            "class": "C5B",
            "subject": "RUS",
            "teacher": f"P{n:02}",
            "weekday": str(1 + n % 5),
            "period": str(1 + n // 5),
            "room": "1",
            "valid_from": "2026-09-01",
        }
        for n in range(30)
    ]
    await service.import_rows(
        sessions, {"staff": teachers, "timetable": slots}, now=school.NOW, today=school.TODAY
    )
    head = driver.user(HEAD, "en")
    first = button_data(await driver.press(head, ReportPick(per="t", form="e").pack()))
    assert len(first) == 25
    assert first[-1] == ReportPick(per="t", form="e", pg=1).pack()
    second = button_data(await driver.press(head, first[-1]))
    assert len(second) == 31 - 24 + 1  # the rest and the way back
    assert second[-1] == ReportPick(per="t", form="e", pg=0).pack()


async def test_the_secretary_reads_the_movement_only(
    driver: ChatDriver,
    sessions: async_sessionmaker[AsyncSession],
    staff: dict[str, int],
) -> None:
    """The secretary keeps the pupils' files: the movement, and no report by marks."""
    async with sessions() as session:
        zuev = await session.scalar(select(Staff.id).where(Staff.external_id == "T3"))
        assert zuev is not None
        session.add(StaffRole(staff_id=zuev, role=Role.SECRETARY))
        await session.commit()
    secretary = driver.user(PLAIN, "en")
    assert "for which period" in texts(await driver.send(secretary, "/report"))
    forms = button_data(await driver.press(secretary, ReportPick(per="t").pack()))
    assert forms == [ReportPick(per="t", form="m").pack()]
    assert "Student movement" in texts(await driver.press(secretary, forms[0]))
    for forged in (
        ReportPick(per="t", form="c", id=staff["7А"]).pack(),
        ReportPick(per="t", form="p", id=7).pack(),
    ):
        [answer] = await driver.press(secretary, forged)
        assert answer.show_alert


@pytest.fixture
def english() -> Iterator[I18n]:
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        yield i18n


def _report_pages(lines: list[str], pick: ReportPick) -> list[str]:
    """Every page of a report's lines, as the handler shows them (its ``pg`` moved)."""
    shown: list[str] = []
    while True:
        text, keyboard = page_of(lines, pick.model_copy(update={"pg": len(shown)}), field="pg")
        assert visible_length(text) <= 4096
        assert len(text) <= 4000  # MAX counts the tags too
        shown.append(text)
        onwards = pick.model_copy(update={"pg": len(shown)}).pack()
        if onwards not in [b.callback_data for row in keyboard.inline_keyboard for b in row]:
            return shown


def test_long_reports_are_paged_never_cut(english: I18n) -> None:
    """300 subjects with markup in the name, 200 classes and 500 changes: every line of a
    table fits a phone, every page fits Telegram and MAX, and nothing is left out."""
    row = SubjectRow(
        1, "ИЗО <&>", "averages", Counts(five=1), 1,
        Decimal("100"), Decimal("100"), Decimal("100"), Decimal("5"),
    )  # fmt: skip
    marks = MarksReport(
        (1,), ReportPeriod.year(), None, ReportRules(), "marked+na", "7_on_1", "averages",
        (row,) * 300,
    )  # fmt: skip
    shown = _report_pages(views.parallel_view(7, marks), ReportPick(per="y", form="p", id=7))
    assert len(shown) >= 2
    rows = [line for page in shown for line in _all_pre_lines(page)]
    assert sum(line.startswith("ИЗО <&>") for line in rows) == 300
    assert max(len(line) for line in rows) <= 32
    assert all(_all_pre_lines(page)[0].startswith("Subject") for page in shown)  # the heading
    assert not any("…and " in page for page in shown)
    day = date(2026, 10, 1)
    movement = MovementReport(
        day,
        day + timedelta(days=30),
        tuple(ClassMovement(n, f"{n}А", 25, 1, 0, 0, 1, 25) for n in range(200)),
        tuple(
            MovementRow(n, f"Фамилия{n:03} Имя", day, Change.LEFT, "7А", None, None)
            for n in range(500)
        ),
    )
    shown = _report_pages(views.movement_view(movement), ReportPick(per="y", form="m"))
    rows = [line for page in shown for line in _all_pre_lines(page)]
    assert max(len(line) for line in rows) <= 32
    assert sum(line.split()[0] in {f"{n}А" for n in range(200)} for line in rows) == 200
    everything = "\n".join(shown)
    for n in range(500):
        assert everything.count(f"Фамилия{n:03} Имя") == 1, n


def _all_pre_lines(shown: str) -> list[str]:
    blocks = shown.split("<pre>")[1:]
    return [line for b in blocks for line in html.unescape(b.split("</pre>")[0]).splitlines()]


async def test_a_long_movement_is_paged_and_each_page_checked_again(
    driver: ChatDriver, sessions: async_sessionmaker[AsyncSession], staff: dict[str, int]
) -> None:
    """120 pupils came to 7А in September and left it in November: the head teacher reads
    every change over the pages; a guardian pressing a page of it is refused."""
    pupils = [
        {"id": f"L{n:03}", "last_name": f"Ушедший{n:03}", "first_name": "Пётр", "class": "C7A"}
        | {"enrolled": "2026-09-01", "left": f"2026-11-{1 + n % 28:02}"}
        for n in range(120)
    ]
    await service.import_rows(sessions, {"students": pupils}, now=school.NOW, today=school.TODAY)
    head = driver.user(HEAD, "en")
    pick = ReportPick(per="y", form="m")
    calls = await driver.press(head, pick.pack())
    shown = [texts(calls)]
    while (onwards := pick.model_copy(update={"pg": len(shown)}).pack()) in button_data(calls):
        calls = await driver.press(head, onwards)
        shown.append(texts(calls))
        assert len(shown) < 10
    assert len(shown) >= 2
    back = pick.model_copy(update={"pg": len(shown) - 2}).pack()
    assert back in button_data(calls)
    assert texts(await driver.press(head, back)) == shown[-2]
    for page in shown:
        assert visible_length(page) <= 4096
    everything = "\n".join(shown)
    for n in range(120):
        assert everything.count(f"Ушедший{n:03} Пётр: arrived in 7А") == 1, n
        assert everything.count(f"Ушедший{n:03} Пётр: left 7А") == 1, n
    await link(driver, sessions, OLGA, "G1", language="en")
    [refused] = await driver.press(
        driver.user(OLGA, "en"), pick.model_copy(update={"pg": 1}).pack()
    )
    assert refused.show_alert
    assert "Ушедший" not in (refused.text or "")
