"""Journal keeping (core.reports.keeping) recomputed from the test's own lists.

Крылова (T1) teaches 7А algebra and Russian (the tiny school's timetable); 7А gets two more
pupils, Вера and Олег. Second quarter (09.11-27.12), the report's day Monday 30.11: 22 days.
Algebra: five of her lessons in the quarter up to 30.11 (three with a topic, one blank, one
without), one the next day, one in the first quarter and one Орлов held as a substitute, none
of which count. Marks: the tiny school's imported ones (no lesson) and marks entered in the bot
N days after their lessons (the school's time zone, UTC+5, moves a late UTC evening to the
next day), an imported mark tied to a lesson (no entry time: no lag), a deleted one, Орлов's
one, an н/а. By hand: lessons 5, with a topic 3 → 60.00 %; marks given 10 over 4 pupils and
22 days → 10 · 30.44 / 88 = 3.46; days to a mark 0 0 1 3 7 11 → median 2, max 11; fewer than
3 numeric marks: Вера (2: the н/а is no number) and Олег (1, Орлов's).
"""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.access.policy import AccessDenied
from core.exchange import service
from core.models import (
    AuditRecord,
    Group,
    GroupMember,
    Lesson,
    Mark,
    SchoolClass,
    Staff,
    Student,
    Subject,
    TeachingAssignment,
)
from core.reader import Reader
from core.reports import files
from core.reports.keeping import KeepingReport, KeepingRow, journal_keeping
from core.reports.period import ReportPeriod
from core.reports.teacher import teacher_report
from tests.bot import school
from tests.reports.test_published import counting

TERM = ReportPeriod.term(2)
STARTS, UNTIL = date(2026, 11, 9), school.TODAY
LOCAL = timezone(timedelta(hours=5))  # Asia/Yekaterinburg, no summer time
NAMES = {"S1": "Иванова Анна", "S3": "Петров Дмитрий", "S4": "Сидорова Вера", "S5": "Андреев Олег"}
PUPILS = ["S1", "S3", "S4", "S5"]

EXTRA = {
    "students": [
        {"id": "S4", "last_name": "Сидорова", "first_name": "Вера", "class": "C7A", "enrolled": ""},
        {"id": "S5", "last_name": "Андреев", "first_name": "Олег", "class": "C7A", "enrolled": ""},
    ]
}


@dataclass(frozen=True)
class L:  # a lesson
    key: str
    subject: str
    day: date
    teacher: str
    topic: str | None


@dataclass(frozen=True)
class M:  # a mark
    pupil: str
    subject: str
    value: str
    day: date
    teacher: str | None
    lesson: str | None = None
    entered: datetime | None = None  # in UTC; None: the import's, left out of the lag
    external: str = "bot"  # "bot": written in the bot; else an imported key
    deleted: bool = False


LESSONS = [
    L("L1", "ALG", date(2026, 11, 10), "T1", "Дроби"),
    L("L2", "ALG", date(2026, 11, 12), "T1", None),
    L("L3", "ALG", date(2026, 11, 17), "T1", "   "),
    L("L4", "ALG", date(2026, 11, 19), "T1", "Уравнения"),
    L("L5", "ALG", date(2026, 11, 24), "T1", "Графики"),
    L("L6", "ALG", date(2026, 12, 1), "T1", "После дня отчёта"),
    L("L7", "ALG", date(2026, 10, 20), "T1", "Первая четверть"),
    L("L8", "ALG", date(2026, 11, 26), "T2", None),  # Орлов substitutes
    L("R1", "RUS", date(2026, 11, 11), "T1", "Причастие"),
    L("R2", "RUS", date(2026, 11, 30), "T2", None),
]


def _utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


NEW_MARKS = [
    M("S1", "ALG", "5", date(2026, 11, 10), "T1", "L1", _utc(11, 10, 10)),  # 0 days
    M("S3", "ALG", "4", date(2026, 11, 10), "T1", "L1", _utc(11, 12, 20)),  # 13.11 local: 3
    M("S4", "ALG", "3", date(2026, 11, 12), "T1", "L2", _utc(11, 13, 3)),  # 1
    M("S4", "ALG", "н/а", date(2026, 11, 19), "T1", "L4", _utc(11, 26, 9)),  # 7
    M("S3", "ALG", "5", date(2026, 11, 19), None, "L4", _utc(11, 19, 12)),  # lesson's T1: 0
    M("S5", "ALG", "4", date(2026, 11, 26), "T2", "L8", _utc(11, 26, 12)),  # Орлов's
    M("S1", "ALG", "2", date(2026, 11, 24), "T1", "L5", _utc(11, 24, 6), external="IMP-7"),
    M("S3", "ALG", "3", date(2026, 11, 24), "T1", "L5", _utc(11, 24, 7), deleted=True),
    M("S4", "ALG", "5", date(2026, 11, 17), "T1", "L3", _utc(11, 27, 19, 30)),  # 28.11: 11
]
# The tiny school's own marks (imported, no lesson): M3 is dated after the report's day.
IMPORTED = [
    M("S1", "ALG", "5", date(2026, 11, 23), "T1", external="M1"),
    M("S1", "ALG", "4", date(2026, 11, 30), "T1", external="M2"),
    M("S1", "ALG", "3", date(2026, 12, 1), "T1", external="M3"),
    M("S3", "ALG", "2", date(2026, 11, 30), "T1", external="M4"),
]


# The independent route -------------------------------------------------------------------


def half_up(value: Fraction, places: int = 2) -> Decimal:
    return Decimal(value.numerator / Decimal(value.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def expected(subject: str) -> dict[str, object]:
    """Every figure of 7А's row for ``subject``, from the lists above."""
    lesson_of = {lesson.key: lesson for lesson in LESSONS}
    held = [
        x
        for x in LESSONS
        if x.subject == subject and x.teacher == "T1" and STARTS <= x.day <= UNTIL
    ]
    topics = [x for x in held if x.topic is not None and x.topic.strip()]
    live = [
        m
        for m in NEW_MARKS + IMPORTED
        if m.subject == subject and not m.deleted and STARTS <= m.day <= UNTIL
    ]
    mine = [
        m
        for m in live
        if m.teacher == "T1"
        or (m.teacher is None and m.lesson is not None and lesson_of[m.lesson].teacher == "T1")
    ]
    lags = sorted(
        (m.entered.astimezone(LOCAL).date() - lesson_of[m.lesson].day).days
        for m in mine
        if m.lesson is not None and m.entered is not None and m.external == "bot"
    )
    numbers = {p: sum(1 for m in live if m.pupil == p and m.value.isdigit()) for p in PUPILS}
    days = (UNTIL - STARTS).days + 1
    middle = len(lags) // 2
    return {
        "lessons": len(held),
        "with_topic": len(topics),
        "topic_share": half_up(Fraction(len(topics) * 100, len(held))) if held else None,
        "pupils": len(PUPILS),
        "marks": len(mine),
        "per_month": half_up(Fraction(len(mine)) * Fraction("30.44") / (len(PUPILS) * days)),
        "median": (
            None
            if not lags
            else Decimal(lags[middle])
            if len(lags) % 2
            else Decimal(lags[middle - 1] + lags[middle]) / 2
        ),
        "max": lags[-1] if lags else None,
        "few": sorted(NAMES[p] for p, n in numbers.items() if n < 3),
    }


# The rows --------------------------------------------------------------------------------


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    await service.import_rows(sessions, EXTRA, now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        ids = dict((await session.execute(select(SchoolClass.name, SchoolClass.id))).all())
        for model in (Staff, Student, Subject):
            rows = await session.execute(select(model.external_id, model.id))
            ids |= {key: value for key, value in rows if key is not None}
        ids["school"] = (await session.execute(select(Staff.school_id).limit(1))).scalar_one()
    return ids


async def _journal(
    sessions: async_sessionmaker[AsyncSession], ids: dict[str, int], tag: str = ""
) -> None:
    async with sessions() as session:
        lessons = {}
        for lesson in LESSONS:
            row = Lesson(
                school_id=ids["school"],
                class_id=ids["7А"],
                subject_id=ids[lesson.subject],
                teacher_id=ids[lesson.teacher],
                date=lesson.day,
                period=1,
                topic=lesson.topic,
            )
            session.add(row)
            lessons[lesson.key] = row
        await session.flush()
        for n, mark in enumerate(NEW_MARKS):
            session.add(
                Mark(
                    school_id=ids["school"],
                    external_id=(
                        f"bot-mark-{tag}{n}" if mark.external == "bot" else mark.external + tag
                    ),
                    student_id=ids[mark.pupil],
                    subject_id=ids[mark.subject],
                    lesson_id=lessons[mark.lesson].id if mark.lesson else None,
                    teacher_id=ids[mark.teacher] if mark.teacher else None,
                    date=mark.day,
                    value=mark.value,
                    numeric_value=int(mark.value) if mark.value.isdigit() else None,
                    created_at=mark.entered,
                    deleted_at=school.NOW if mark.deleted else None,
                )
            )
        await session.commit()


@pytest.fixture
async def ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    found = await _ids(sessions)
    await _journal(sessions, found)
    return found


def _row(report: KeepingReport, subject: str) -> KeepingRow:
    return next(r for r in report.rows if r.subject == subject)


def _figures(row: KeepingRow) -> dict[str, object]:
    return {
        "lessons": row.lessons,
        "with_topic": row.with_topic,
        "topic_share": row.topic_share,
        "pupils": row.pupils,
        "marks": row.marks,
        "per_month": row.marks_per_pupil_month,
        "median": row.days_median,
        "max": row.days_max,
        "few": [p.name for p in row.few_marks],
    }


async def test_every_figure_recomputed(
    sessions: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    reader = Reader.operator("test")
    async with sessions() as session:
        report = await journal_keeping(session, ids["T1"], TERM, reader, on=school.TODAY)
    assert [(r.class_name, r.subject) for r in report.rows] == [
        ("7А", "Алгебра"),
        ("7А", "Русский язык"),
    ]
    algebra, russian = _row(report, "Алгебра"), _row(report, "Русский язык")
    assert _figures(algebra) == expected("ALG")
    assert _figures(russian) == expected("RUS")
    # The same by hand (the module docstring).
    assert (algebra.lessons, algebra.with_topic, algebra.topic_share) == (5, 3, Decimal("60.00"))
    assert (algebra.marks, algebra.marks_per_pupil_month) == (10, Decimal("3.46"))
    assert (algebra.days_median, algebra.days_max, algebra.entered) == (Decimal(2), 11, 6)
    assert [p.name for p in algebra.few_marks] == ["Андреев Олег", "Сидорова Вера"]
    assert (russian.lessons, russian.topic_share, russian.marks) == (1, Decimal("100.00"), 0)
    assert russian.marks_per_pupil_month == Decimal("0.00")
    assert (russian.days_median, russian.days_max) == (None, None)
    assert len(russian.few_marks) == 4
    assert (algebra.starts_on, algebra.until) == (STARTS, UNTIL)


async def test_access_and_audit(
    sessions: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    krylova = Reader(label="test", staff_id=ids["T1"], today=school.TODAY)
    orlov = Reader(label="test", staff_id=ids["T2"], today=school.TODAY)
    async with sessions() as session:
        own = await journal_keeping(session, ids["T1"], TERM, krylova, on=school.TODAY)
        assert [r.subject for r in own.rows] == ["Алгебра", "Русский язык"]
        with pytest.raises(AccessDenied):
            await journal_keeping(session, ids["T1"], TERM, orlov, on=school.TODAY)
        with pytest.raises(AccessDenied):
            await teacher_report(session, orlov, ids["T1"], TERM, on=school.TODAY)
        records = (
            await session.execute(
                select(AuditRecord.actor_staff_id, AuditRecord.student_id, AuditRecord.details)
                .where(AuditRecord.action == "read_report")
                .order_by(AuditRecord.id)
            )
        ).all()
    granted = [r for r in records if r.details["granted"]]
    refused = [r for r in records if not r.details["granted"]]
    assert sorted(r.student_id for r in granted) == sorted(ids[p] for p in PUPILS)
    assert all(r.actor_staff_id == ids["T1"] for r in granted)
    # authorize_class writes the class's current pupils' records (permission, class)
    assert all(r.details.get("permission", "reports") == "reports" for r in records)
    assert [r.actor_staff_id for r in refused] == [ids["T2"], ids["T2"]]


async def test_a_group_counts_its_members(
    sessions: async_sessionmaker[AsyncSession], ids: dict[str, int]
) -> None:
    """Орлов teaches 7А algebra to a group (Анна from the start, Олег who left it on 12.11,
    Вера who joins after the report's day): its pupils are Анна and Олег."""
    async with sessions() as session:
        group = Group(school_id=ids["school"], class_id=ids["7А"], name="7А-1")
        session.add(group)
        await session.flush()
        session.add_all(
            [
                GroupMember(group_id=group.id, student_id=ids["S1"], joined_on=None),
                GroupMember(group_id=group.id, student_id=ids["S5"], left_on=date(2026, 11, 12)),
                GroupMember(group_id=group.id, student_id=ids["S4"], joined_on=date(2026, 12, 5)),
                TeachingAssignment(
                    school_id=ids["school"],
                    staff_id=ids["T2"],
                    class_id=ids["7А"],
                    group_id=group.id,
                    subject_id=ids["ALG"],
                ),
            ]
        )
        await session.execute(
            update(Lesson).where(Lesson.teacher_id == ids["T2"]).values(group_id=group.id)
        )
        await session.commit()
    async with sessions() as session:
        report = await journal_keeping(
            session, ids["T2"], TERM, Reader.operator("test"), on=school.TODAY
        )
    [row] = report.rows
    assert (row.subject, row.lessons, row.pupils) == ("Алгебра", 1, 2)  # L8
    assert row.marks == 1  # Олег's 4
    assert [p.name for p in row.few_marks] == ["Андреев Олег"]  # Анна has 4


async def test_statements_do_not_grow_with_the_journal(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine, ids: dict[str, int]
) -> None:
    reader = Reader.operator("test")
    async with sessions() as session:
        with counting(engine) as before:
            await journal_keeping(session, ids["T1"], TERM, reader, on=school.TODAY)
    more = {
        "students": [
            {
                "id": f"X{n}",
                "last_name": f"Новый{n}",
                "first_name": "Ян",
                "class": "C7A",
                "enrolled": "",
            }
            for n in range(20)
        ],
        "marks": [
            {
                "id": f"XM{n}",
                "student": f"X{n}",
                "subject": "ALG",
                "date": "2026-11-20",
                "value": "5",
                "teacher": "T1",
            }
            for n in range(20)
        ],
    }
    await service.import_rows(sessions, more, now=school.NOW, today=school.TODAY)
    await _journal(sessions, ids, tag="again")  # the lessons and marks once more
    async with sessions() as session:
        with counting(engine) as after:
            report = await journal_keeping(session, ids["T1"], TERM, reader, on=school.TODAY)
    assert _row(report, "Алгебра").pupils == 24
    assert len(after) == len(before) <= 20


async def test_the_teacher_report_as_files(
    sessions: async_sessionmaker[AsyncSession], ids: dict[str, int], tmp_path: Path
) -> None:
    async with sessions() as session:
        report = await teacher_report(
            session, Reader.operator("test"), ids["T1"], TERM, on=school.TODAY
        )
    assert report.teacher_name == "Крылова Н. П."
    assert report.staff_id == ids["T1"]
    assert [s.subject for s in report.marks.subjects] == ["Алгебра"]  # no Russian marks
    document = report.document()
    assert document.stem == "учитель-Крылова-Н-П"
    book = load_workbook(_write(tmp_path / "t.xlsx", files.to_xlsx(document)))
    assert book.sheetnames == ["По предметам", "Ведение журнала"]
    sheet = book["Ведение журнала"]
    assert "учитель Крылова Н. П." in str(sheet["A1"].value)
    headings = [c.value for c in sheet[2]]
    assert headings[:11] == [
        "Класс",
        "Предмет",
        "Уроков",
        "С темой",
        "Доля с темой, %",
        "Обучающихся",
        "Отметок",
        "Отметок на ученика в месяц",
        "Дней до отметки (медиана)",
        "Дней до отметки (макс.)",
        "Меньше 3 отметок",
    ]
    algebra = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == "Алгебра")
    assert algebra[:4] == ("7А", "Алгебра", 5, 3)
    assert algebra[4] == pytest.approx(0.6)  # a percent cell
    assert algebra[5:7] == (4, 10)
    assert algebra[7] == pytest.approx(3.46)
    assert algebra[8] == pytest.approx(2)
    assert algebra[9:11] == (11, 2)
    assert algebra[11] == "Андреев Олег, Сидорова Вера"
    csvs = files.to_csv(document)
    assert sorted(csvs) == ["учитель-Крылова-Н-П-keeping.csv", "учитель-Крылова-Н-П-subjects.csv"]
    keeping = csvs["учитель-Крылова-Н-П-keeping.csv"].decode("utf-8-sig")
    assert "7А;Алгебра;5;3;60,00;4;10;3,46;2,00;11;2;Андреев Олег, Сидорова Вера" in keeping
    printed = files.to_pdf(document)
    assert printed is not None
    text = await asyncio.to_thread(_pdf_text, printed, tmp_path)
    assert "Ведение журнала" in text
    assert "Отчёт по предметам" in text
    assert "60,00" in text
    assert "3,46" in text
    assert "Андреев Олег, Сидорова Вера" in text


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _pdf_text(data: bytes, where: Path) -> str:
    pdf = _write(where / "teacher.pdf", data)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
