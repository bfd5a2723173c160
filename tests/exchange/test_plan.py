"""The `plan` table (КТП): imported into a plan per class and subject, checked line by line,
exported back so that a re-import changes nothing; a topic put in between renumbers cleanly."""

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
from core.models import AcademicYear, LessonPlan, LessonPlanItem, Staff
from tests.exchange.school_files import write_school

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

# Russian headers, a Latin "7A", a plan for a group; no id column: the natural key names a row.
PLAN = (
    "Класс;Подгруппа;Предмет;Учитель;№;Тема урока;Часы;Дата по плану;ДЗ\n"
    "7A;;Алгебра;Иванова М.П.;1;Повторение;1;01.09.2026;\n"
    "7А;;алгебра;;2;Квадратные уравнения;2;2026-09-03;№ 12\n"
    "7А;;Алгебра;;3;Теорема Виета;;;\n"
    "C7A;G7A1;ENG;T2;1;Unit 1. My family;;;\n"
)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def load(sessions: async_sessionmaker[AsyncSession], path: Path) -> ImportReport:
    return await service.import_path(sessions, path, now=NOW, today=TODAY)


def counts(report: ImportReport) -> dict[str, tuple[int, int, int, int]]:
    return {t: (c.added, c.changed, c.deleted, c.unchanged) for t, c in report.counts}


async def school(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    await load(sessions, write_school(tmp_path / "school"))


def plan_file(tmp_path: Path, text: str, name: str = "ктп.csv") -> Path:
    directory = tmp_path / name.removesuffix(".csv")
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


async def items(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[object, ...]]:
    async with sessions() as session:
        rows = await session.execute(
            select(
                LessonPlan.name,
                Staff.external_id,
                LessonPlanItem.position,
                LessonPlanItem.topic,
                LessonPlanItem.hours,
                LessonPlanItem.planned_on,
                LessonPlanItem.homework,
            )
            .join(LessonPlan, LessonPlan.id == LessonPlanItem.plan_id)
            .outerjoin(Staff, Staff.id == LessonPlan.teacher_id)
            .order_by(LessonPlan.name, LessonPlanItem.position)
        )
        return [tuple(row) for row in rows]


async def test_a_plan_imports_into_one_plan_per_class_and_subject(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await school(sessions, tmp_path)
    report = await load(sessions, plan_file(tmp_path, PLAN))
    assert counts(report) == {"plan": (4, 0, 0, 0)}
    assert await items(sessions) == [
        ("7А · Алгебра", "T1", 1, "Повторение", 1, date(2026, 9, 1), None),
        ("7А · Алгебра", "T1", 2, "Квадратные уравнения", 2, date(2026, 9, 3), "№ 12"),
        ("7А · Алгебра", "T1", 3, "Теорема Виета", 1, None, None),
        ("7А · Группа 1 · Английский язык", "T2", 1, "Unit 1. My family", 1, None, None),
    ]
    async with sessions() as session:
        years = set((await session.execute(select(LessonPlan.academic_year_id))).scalars())
        year = (await session.execute(select(AcademicYear.id))).scalar_one()
    assert years == {year}
    again = await load(sessions, plan_file(tmp_path, PLAN))
    assert counts(again) == {"plan": (0, 0, 0, 4)}


async def test_a_topic_put_in_between_renumbers_and_a_new_teacher_counts_as_a_change(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await school(sessions, tmp_path)
    with_ids = "id,class,subject,number,topic\nA1,7А,ALG,1,Один\nA2,7А,ALG,2,Два\nA3,7А,ALG,3,Три\n"
    await load(sessions, plan_file(tmp_path, with_ids, "plan.csv"))
    # "Полтора" goes in as 2; "Два" and "Три" move down one: every write would meet a taken place.
    moved = (
        "id,class,subject,teacher,number,topic\n"
        "A15,7А,ALG,T3,2,Полтора\nA2,7А,ALG,,3,Два\nA3,7А,ALG,,4,Три\n"
    )
    report = await load(sessions, plan_file(tmp_path, moved, "plan.csv"))
    assert counts(report) == {"plan": (1, 2, 0, 0)}
    assert [(row[1], row[2], row[3]) for row in await items(sessions)] == [
        ("T3", 1, "Один"),
        ("T3", 2, "Полтора"),
        ("T3", 3, "Два"),
        ("T3", 4, "Три"),
    ]
    # Deleting one and moving the next into its place in one import.
    closing = "id,class,subject,number,topic,deleted\nA15,,,,,1\nA2,7А,ALG,2,Два,\n"
    report = await load(sessions, plan_file(tmp_path, closing, "plan.csv"))
    assert counts(report) == {"plan": (0, 1, 1, 0)}
    assert [(row[2], row[3]) for row in await items(sessions)] == [
        (1, "Один"),
        (2, "Два"),
        (4, "Три"),
    ]


async def test_bad_rows_are_named_by_line_and_column_and_nothing_lands(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await school(sessions, tmp_path)
    await load(sessions, plan_file(tmp_path, PLAN))
    bad = (
        "класс,предмет,учитель,номер урока,тема,часы\n"
        "7А,Алгебра,,4,Новая тема,\n"  # fine on its own: must not land either
        "7А,Алгебра,,2,Другая тема урока 2,\n"  # the natural key: lesson 2's new topic
        "7А,Физика,T1,1,Механика,\n"
        "7А,Физика,T2,2,Кинематика,\n"
        "7Я,Алгебра,,5,Нет такого класса,\n"
        "7А,Алгебра,,0,Нулевой урок,\n"
        "7А,Алгебра,,6,,\n"
        "7А,Алгебра,,7,Много часов,100\n"
        "7А,Алгебра,,восемь,Не число,\n"
    )
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, plan_file(tmp_path, bad, "plan.csv"))
    found = {(p.source, p.line, p.column) for p in caught.value.problems}
    assert found == {
        ("plan.csv", 5, "teacher"),  # physics has T1 on line 4
        ("plan.csv", 6, "class"),
        ("plan.csv", 7, "number"),
        ("plan.csv", 8, "topic"),
        ("plan.csv", 9, "hours"),
        ("plan.csv", 10, "number"),
    }
    assert "plan.csv:9: hours: 100 is outside 1–99" in [p.render() for p in caught.value.problems]
    async with sessions() as session:
        total = (await session.execute(select(func.count()).select_from(LessonPlanItem))).scalar()
        physics = (await session.execute(select(func.count()).select_from(LessonPlan))).scalar_one()
    assert total == 4
    assert physics == 2


async def test_two_rows_at_one_number_of_a_file_name_each_other(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await school(sessions, tmp_path)
    twice = "id,class,subject,number,topic\nX1,7А,ALG,1,Один\nX2,7А,ALG,1,Тоже один\n"
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, plan_file(tmp_path, twice, "plan.csv"))
    assert [p.render() for p in caught.value.problems] == [
        "plan.csv:3: number: lesson 1 of this plan is already on plan.csv:2"
    ]
    # An id of its own at a number the journal's item (found by natural key) holds.
    await load(sessions, plan_file(tmp_path, PLAN))
    taken = "id,class,subject,number,topic\nX3,7А,ALG,3,Третий урок\n"
    with pytest.raises(ImportFailed) as caught:
        await load(sessions, plan_file(tmp_path, taken, "plan.csv"))
    assert [p.render() for p in caught.value.problems] == [
        "plan.csv:2: number: lesson 3 of this plan is already on C7A||ALG|3"
    ]


async def test_the_export_reimports_as_no_change(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await school(sessions, tmp_path)
    await load(sessions, plan_file(tmp_path, PLAN))
    await service.export_path(sessions, tmp_path / "out", None)
    exported = (tmp_path / "out" / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert exported == [
        "id,class,group,subject,teacher,number,topic,hours,date,homework",
        "C7A||ALG|1,C7A,,ALG,T1,1,Повторение,1,2026-09-01,",
        "C7A||ALG|2,C7A,,ALG,T1,2,Квадратные уравнения,2,2026-09-03,№ 12",
        "C7A||ALG|3,C7A,,ALG,T1,3,Теорема Виета,1,,",
        "C7A|G7A1|ENG|1,C7A,G7A1,ENG,T2,1,Unit 1. My family,1,,",
    ]
    again = await load(sessions, tmp_path / "out")
    assert again.changes == 0, again.counts
    await service.export_path(sessions, tmp_path / "out2", None)
    assert (tmp_path / "out2" / "plan.csv").read_bytes() == (
        tmp_path / "out" / "plan.csv"
    ).read_bytes()
