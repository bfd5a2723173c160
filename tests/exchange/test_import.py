"""`journal import` on both databases: upserts, events, movement, and no change on bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from core.exchange.importer import ImportReport
from core.exchange.problems import ImportFailed
from core.models import (
    ChangeKind,
    Enrolment,
    EventKind,
    GuardianLink,
    Homework,
    Mark,
    MovementKind,
    OutboxEvent,
    SchoolClass,
    Staff,
    StaffRole,
    Student,
    TimetableChange,
)
from tests.exchange.school_files import FILES, write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def load(
    sessions: async_sessionmaker[AsyncSession], path: Path, **kwargs: object
) -> ImportReport:
    return await service.import_path(sessions, path, now=NOW, today=TODAY, **kwargs)  # type: ignore[arg-type]


def counts(report: ImportReport) -> dict[str, tuple[int, int, int, int]]:
    return {t: (c.added, c.changed, c.deleted, c.unchanged) for t, c in report.counts}


async def scalar(sessions: async_sessionmaker[AsyncSession], query: object) -> object:
    async with sessions() as session:
        return (await session.execute(query)).scalar_one()  # type: ignore[call-overload]


async def test_a_school_imports_and_a_second_import_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    report = await load(sessions, write_school(tmp_path / "in"))
    assert counts(report)["students"] == (3, 0, 0, 0)
    assert counts(report)["marks"] == (3, 0, 0, 0)
    assert counts(report)["timetable"] == (3, 0, 0, 0)
    again = await load(sessions, tmp_path / "in")
    assert again.changes == 0
    assert all(c.unchanged > 0 for _, c in again.counts)

    async with sessions() as session:
        phones = set((await session.execute(select(Staff.phone))).scalars())
        assert phones == {"+79120000001", "+79120000002", "+79120000003"}
        roles = (
            (
                await session.execute(
                    select(StaffRole.role).join(Staff).where(Staff.external_id == "T1")
                )
            )
            .scalars()
            .all()
        )
        assert sorted(roles) == ["head_teacher", "teacher"]
        links = (await session.execute(select(func.count()).select_from(GuardianLink))).scalar()
        assert links == 3  # one mother of two children in different classes, one father
        zach = (await session.execute(select(Mark).where(Mark.external_id == "M3"))).scalar_one()
        assert (zach.value, zach.numeric_value) == ("зач", None)
        homework = (await session.execute(select(Homework))).scalar_one()
        assert (homework.text, homework.due_on) == ("№ 12", date(2026, 11, 30))
        enrolled = (await session.execute(select(Enrolment.kind))).scalars().all()
        assert enrolled == [MovementKind.ENROLLED] * 3


async def test_events_for_today_are_pushed_and_history_is_silent(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    report = await load(sessions, write_school(tmp_path / "in"))
    async with sessions() as session:
        events = (await session.execute(select(OutboxEvent))).scalars().all()
    loud = {(e.kind, e.payload.get("date")) for e in events if not e.silent}
    silent = {(e.kind, e.payload.get("date")) for e in events if e.silent}
    assert (EventKind.MARK_ADDED, "2026-11-30") in loud
    assert (EventKind.ABSENCE_RECORDED, "2026-11-30") in loud
    assert (EventKind.MARK_ADDED, "2026-11-23") in silent
    assert all(e.processed_at is not None for e in events if e.silent)
    assert report.events == len([e for e in events if not e.silent])
    absence = next(e for e in events if e.kind is EventKind.ABSENCE_RECORDED)
    assert "comment" not in absence.payload  # health data never travels in a push


async def test_corrections_and_deletions_of_marks(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    changed = dict(FILES)
    changed["marks.csv"] = (
        "id,student,subject,date,value,work_type,teacher,lesson,deleted\n"
        "M1,S1,ALG,2026-11-23,5,ANS,T1,L1,\n"
        "M2,S1,ALG,2026-11-30,3,TEST,T1,L2,\n"
        "M3,S2,ALG,2026-11-23,зач,,T1,L1,1\n"
    )
    report = await load(
        sessions, write_school(tmp_path / "next", {"marks.csv": changed["marks.csv"]})
    )
    assert counts(report)["marks"] == (0, 1, 1, 1)
    async with sessions() as session:
        events = (
            await session.execute(
                select(OutboxEvent.kind, OutboxEvent.payload).order_by(OutboxEvent.id)
            )
        ).all()
        m3 = (await session.execute(select(Mark).where(Mark.external_id == "M3"))).scalar_one()
    assert m3.deleted_at is not None  # kept, so the correction is traceable
    change = [p for k, p in events if k is EventKind.MARK_CHANGED]
    assert change == [
        {
            "subject_id": change[0]["subject_id"],
            "value": "3",
            "date": "2026-11-30",
            "work_type_id": change[0]["work_type_id"],
            "previous": "4",
        }
    ]
    assert [k for k, _ in events].count(EventKind.MARK_DELETED) == 1


async def test_a_windows_1251_semicolon_sheet_with_russian_headers(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    sheet = tmp_path / "ученики.csv"
    sheet.write_bytes(
        "Код;Фамилия;Имя;Отчество;Класс;Телефон\n"
        "S4;Григорьева;Дарья;Сергеевна;7A;8 (912) 345-67-89\n"
        "S5;Дёмин;Артём;;7 б;+7 912 3456780\n".encode("cp1251")
    )
    report = await load(sessions, sheet)
    assert counts(report) == {"students": (2, 0, 0, 0)}
    async with sessions() as session:
        rows = (
            await session.execute(
                select(Student.external_id, SchoolClass.name, Student.phone)
                .join(SchoolClass, SchoolClass.id == Student.class_id)
                .where(Student.external_id.in_(["S4", "S5"]))
                .order_by(Student.external_id)
            )
        ).all()
        classes = (await session.execute(select(func.count()).select_from(SchoolClass))).scalar()
    assert [tuple(r) for r in rows] == [("S4", "7А", "+79123456789"), ("S5", "7Б", "+79123456780")]
    assert classes == 2  # 7A with a Latin A is the class 7А, not a new one


async def test_a_substitution_sheet_as_schools_write_it(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    sheet = tmp_path / "Лист1.csv"
    sheet.write_text(
        "дата,урок,Класс,Предмет,Отсутствующий учитель,Основание,"
        "Заменяющий учитель,Кабинет,примеч\n"
        "30.11.2026,1,7А,алгебра,Иванова М.П.,больничный,Петров О.И.,201,\n"
        "01.12.2026,1,7а,Алгебра,Иванова М. П.,больничный,отмена,,уйдут домой\n",
        encoding="utf-8",
    )
    report = await load(sessions, sheet)
    assert counts(report) == {"timetable_changes": (2, 0, 0, 0)}
    async with sessions() as session:
        changes = (
            (await session.execute(select(TimetableChange).order_by(TimetableChange.date)))
            .scalars()
            .all()
        )
        teachers = {
            r.id: r.external_id for r in await session.execute(select(Staff.id, Staff.external_id))
        }
        events = (
            (
                await session.execute(
                    select(OutboxEvent).where(OutboxEvent.kind == EventKind.TIMETABLE_CHANGED)
                )
            )
            .scalars()
            .all()
        )
    assert [c.kind for c in changes] == [ChangeKind.SUBSTITUTION, ChangeKind.CANCELLATION]
    assert teachers[changes[0].absent_teacher_id] == "T1"
    assert teachers[changes[0].teacher_id] == "T2"
    assert changes[1].teacher_id is None
    assert changes[1].note == "уйдут домой"
    assert len(events) == 2
    assert not any(e.silent for e in events)
    assert (await load(sessions, sheet)).changes == 0  # the natural key makes it idempotent


async def test_student_movement_is_recorded(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    moved = tmp_path / "students.csv"
    moved.write_text(
        "id,last_name,first_name,class,class_since,left\n"
        "S1,Алексеев,Иван,C7B,2026-11-16,\n"
        "S2,Белова,Ольга,C7A,,2026-12-01\n",
        encoding="utf-8",
    )
    report = await load(sessions, moved)
    assert counts(report)["students"] == (0, 2, 0, 0)
    async with sessions() as session:
        steps = (
            await session.execute(
                select(Student.external_id, Enrolment.kind, Enrolment.happened_on)
                .join(Student, Student.id == Enrolment.student_id)
                .where(Enrolment.kind != MovementKind.ENROLLED)
                .order_by(Student.external_id)
            )
        ).all()
    assert [tuple(s) for s in steps] == [
        ("S1", MovementKind.TRANSFERRED, date(2026, 11, 16)),
        ("S2", MovementKind.LEFT, date(2026, 12, 1)),
    ]


async def test_dry_run_counts_but_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    report = await load(sessions, write_school(tmp_path / "in"), dry_run=True)
    assert report.dry_run
    assert counts(report)["marks"] == (3, 0, 0, 0)
    assert await scalar(sessions, select(func.count()).select_from(Student)) == 0


BAD_CASES = [
    (
        "marks.csv",
        "id,student,subject,date,value\nM9,S404,ALG,2026-11-30,5\n",
        "marks.csv:2: student: no students row with id or name 'S404'",
    ),
    (
        "marks.csv",
        "id,student,subject,date,value\nM9,S1,ALG,31.02.2025,5\n",
        "marks.csv:2: date: there is no such date as '31.02.2025'",
    ),
    (
        "marks.csv",
        "id,student,subject,date,value\nM9,S1,ALG,2026-11-30,6\n",
        "marks.csv:2: value: mark 6 is outside the scale 1–5",
    ),
    (
        "marks.csv",
        "id,student,subject,date,value\nM9,S1,ALG,2026-11-30,5\nM9,S2,ALG,2026-11-30,4\n",
        "marks.csv:3: id: duplicate id M9 (first on marks.csv:2)",
    ),
    (
        "marks.csv",
        "id,student,subject,date,value\nM9,S1,,2026-11-30,5\n",
        "marks.csv:2: subject: a value is required",
    ),
    (
        "attendance.csv",
        "student,date,period,code\nS1,2026-11-30,2,Z\n",
        "attendance.csv:2: code: unknown attendance code 'Z' (expected Н, Б, У, П or ОП)",
    ),
    (
        "guardians.csv",
        "id,last_name,first_name,phone,students\nP9,Кто,То,12345,S1\n",
        "guardians.csv:2: phone: '12345' is not a phone number",
    ),
    (
        "marks.csv",
        "id,student,subject,date\nM9,S1,ALG,2026-11-30\n",
        "marks.csv:1: value: the required column is missing",
    ),
    (
        "students.csv",
        "id,last_name,first_name,class\nS9,Новый,Ученик,12Я\n",
        "students.csv:2: class: no classes row with id or name '12Я'",
    ),
]


@pytest.mark.parametrize(
    ("name", "text", "expected"), BAD_CASES, ids=[c[2].split(": ", 2)[2][:30] for c in BAD_CASES]
)
async def test_bad_input_is_reported_and_changes_nothing(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, name: str, text: str, expected: str
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    before = await scalar(sessions, select(func.count()).select_from(OutboxEvent))
    bad = write_school(
        tmp_path / "bad",
        {"students.csv": "id,last_name,first_name\nS7,Новикова,Вера\n", name: text},
    )
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, bad)
    rendered = [p.render() for p in caught.value.problems]
    assert expected in rendered
    # Nothing landed: not the valid students row of the same import, not one event.
    assert await scalar(sessions, select(func.count()).select_from(Student)) == 3
    assert await scalar(sessions, select(func.count()).select_from(OutboxEvent)) == before


async def test_every_problem_is_reported_at_once(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessions, write_school(tmp_path / "in"))
    bad = write_school(
        tmp_path / "bad",
        {
            "marks.csv": (
                "id,student,subject,date,value\nM8,S404,ALG,2026-11-30,5\nM9,S1,ALG,2026-11-30,0\n"
            ),
            "attendance.csv": "student,date,code\nS1,30.13.2026,Н\n",
        },
    )
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, bad)
    lines = {(p.source, p.line, p.column) for p in caught.value.problems}
    assert {
        ("marks.csv", 2, "student"),
        ("marks.csv", 3, "value"),
        ("attendance.csv", 2, "date"),
    } <= lines
