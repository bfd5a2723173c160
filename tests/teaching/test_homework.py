"""Homework from the chat: for the class, a group or named pupils; judged; due at the next lesson.

The tiny school (tests/bot/school.py) plus English in two groups of 7А: Анна in group 1, which
Крылова teaches on Mondays and Thursdays (period 3); Дмитрий in group 2. 7А has algebra on
Mondays and Tuesdays; Tuesday's Russian (2026-12-01) is cancelled; Орлов covers Monday's.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from core.files import (
    FileStore,
    FileTooLargeError,
    StoredFile,
    export_ref,
    parse_ref,
    valid_storage_path,
)
from core.models import (
    Group,
    Homework,
    HomeworkAttachment,
    OutboxEvent,
    SchoolClass,
    Staff,
    Student,
    Subject,
)
from core.models.enums import EventKind
from core.reader import Reader
from core.services.homework import homework_due
from core.teaching.dto import LessonSlot, Refusal, WriteRefused
from core.teaching.homework import (
    TEXT_LIMIT,
    HomeworkInputError,
    Problem,
    assign_homework,
    due_choices,
)
from tests.bot import school

TODAY, NOW = school.TODAY, school.NOW
TUESDAY, THURSDAY = date(2026, 12, 1), date(2026, 12, 3)
NEXT_MONDAY, NEXT_TUESDAY = date(2026, 12, 7), date(2026, 12, 8)


def tables() -> dict[str, list[dict[str, str]]]:
    data = school.tables()
    data["subjects"].append({"id": "ENG", "name": "Английский язык"})
    data["groups"] = [
        {"id": "G1", "class": "C7A", "subject": "ENG", "name": "1 группа"},
        {"id": "G2", "class": "C7A", "subject": "ENG", "name": "2 группа"},
    ]
    data["group_members"] = [
        {"group": "G1", "student": "S1", "joined": "2026-09-01"},
        {"group": "G2", "student": "S3", "joined": "2026-09-01"},
    ]
    data["timetable"] += [
        {
            "id": f"TTE{weekday}",
            "class": "C7A",
            "group": "G1",
            "subject": "ENG",
            "teacher": "T1",
            "weekday": weekday,
            "period": "3",
            "room": "12",
            "valid_from": "2026-09-01",
        }
        for weekday in ("1", "4")
    ]
    return data


@pytest.fixture
async def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    sessions = create_sessionmaker(engine)
    await service.import_rows(sessions, tables(), now=NOW, today=TODAY)
    return sessions


class Ids:
    def __init__(self, rows: dict[str, int]) -> None:
        self.__dict__.update(rows)

    krylova: int
    orlov: int
    class_7a: int
    group_1: int
    anna: int
    dmitry: int
    boris: int


async def _ids(sessions: async_sessionmaker[AsyncSession]) -> Ids:
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.external_id, Staff.id))).all())
        students = dict((await session.execute(select(Student.external_id, Student.id))).all())
        class_7a = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "7А"))
        ).scalar_one()
        group_1 = (
            await session.execute(select(Group.id).where(Group.external_id == "G1"))
        ).scalar_one()
    return Ids(
        {
            "krylova": staff["T1"],
            "orlov": staff["T2"],
            "class_7a": class_7a,
            "group_1": group_1,
            "anna": students["S1"],
            "dmitry": students["S3"],
            "boris": students["S2"],
        }
    )


def _teacher(staff_id: int, today: date = TODAY) -> Reader:
    return Reader(label="test", staff_id=staff_id, today=today)


async def _due_texts(
    sessions: async_sessionmaker[AsyncSession], student: int, on: date
) -> list[str]:
    async with sessions() as session:
        items = await homework_due(session, student, on, Reader.operator("test"))
    return [item.text for item in items]


async def test_class_homework_with_a_file_is_due_at_the_next_lesson_and_pushed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = await _ids(sessions)
    store = FileStore(tmp_path)
    sheet = store.put(b"%PDF-1.4 tasks", "Задание № 5.pdf", "application/pdf")
    async with sessions() as session:
        saved = await assign_homework(
            session,
            _teacher(ids.krylova),
            LessonSlot(TODAY, 1, ids.class_7a),
            "  № 301, 302\n\n\n(устно 303)  ",
            [sheet],
            pupils=None,
            due=None,
            now=NOW,
            today=TODAY,
        )
        await session.commit()
    assert saved.due_on == TUESDAY  # the next algebra
    assert (saved.pupils, saved.files, len(saved.homework_ids)) == (0, 1, 1)
    async with sessions() as session:
        row = await session.get(Homework, saved.homework_ids[0])
        assert row is not None
        assert (row.external_id or "").startswith("bot-homework-")
        assert (row.class_id, row.group_id, row.student_id) == (ids.class_7a, None, None)
        assert (row.teacher_id, row.assigned_on, row.lesson_id is not None) == (
            ids.krylova,
            TODAY,
            True,
        )
        assert row.text == "№ 301, 302\n\n(устно 303)"
        event = (
            await session.execute(
                select(OutboxEvent).where(
                    OutboxEvent.kind == EventKind.HOMEWORK_ADDED,
                    OutboxEvent.object_id == row.id,
                )
            )
        ).scalar_one()
        assert (event.object_id, event.class_id, event.student_id) == (row.id, ids.class_7a, None)
        assert event.payload["due"] == "2026-12-01"
        assert not event.silent
        items = await homework_due(session, ids.dmitry, TUESDAY, Reader.operator("test"))
    mine = next(item for item in items if item.text.startswith("№ 301"))
    (attachment,) = mine.attachments
    assert attachment.file_name == "Задание № 5.pdf"
    assert attachment.storage_path == sheet.storage_path
    assert attachment.size_bytes == len(b"%PDF-1.4 tasks")
    assert store.path_of(sheet.storage_path) is not None


async def test_group_homework_reaches_the_group_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    slot = LessonSlot(TODAY, 3, ids.class_7a, ids.group_1)
    async with sessions() as session:
        saved = await assign_homework(
            session,
            _teacher(ids.krylova),
            slot,
            "Learn the words, p. 40",
            [],
            pupils=None,
            due=None,
            now=NOW,
            today=TODAY,
        )
        await session.commit()
        row = await session.get(Homework, saved.homework_ids[0])
        assert row is not None
        assert row.group_id == ids.group_1
    assert saved.due_on == THURSDAY  # the group's next English
    assert "Learn the words, p. 40" in await _due_texts(sessions, ids.anna, THURSDAY)
    assert "Learn the words, p. 40" not in await _due_texts(sessions, ids.dmitry, THURSDAY)


async def test_named_pupils_get_individual_tasks(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    ids = await _ids(sessions)
    file = FileStore(tmp_path).put(b"card", "card.png", "image/png")
    async with sessions() as session:
        saved = await assign_homework(
            session,
            _teacher(ids.krylova),
            LessonSlot(TODAY, 1, ids.class_7a),
            "Работа над ошибками",
            [file],
            pupils=[ids.dmitry, ids.anna, ids.dmitry],
            due=NEXT_MONDAY,
            now=NOW,
            today=TODAY,
        )
        await session.commit()
        students = set(
            (
                await session.execute(
                    select(Homework.student_id).where(Homework.id.in_(saved.homework_ids))
                )
            ).scalars()
        )
        files = await session.scalar(
            select(func.count())
            .select_from(HomeworkAttachment)
            .where(HomeworkAttachment.homework_id.in_(saved.homework_ids))
        )
        events = (
            await session.execute(
                select(OutboxEvent.student_id).where(
                    OutboxEvent.kind == EventKind.HOMEWORK_ADDED,
                    OutboxEvent.object_id.in_(saved.homework_ids),
                )
            )
        ).scalars()
        assert sorted(e or 0 for e in events) == sorted([ids.anna, ids.dmitry])
    assert (saved.pupils, saved.due_on) == (2, NEXT_MONDAY)
    assert students == {ids.anna, ids.dmitry}
    assert files == 2  # each task carries the file
    assert await _due_texts(sessions, ids.dmitry, NEXT_MONDAY) == ["Работа над ошибками"]


async def test_only_one_pupil_named_leaves_the_other_out(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    async with sessions() as session:
        await assign_homework(
            session,
            _teacher(ids.krylova),
            LessonSlot(TODAY, 1, ids.class_7a),
            "Только Дмитрию",
            [],
            pupils=[ids.dmitry],
            due=None,
            now=NOW,
            today=TODAY,
        )
        await session.commit()
    assert "Только Дмитрию" in await _due_texts(sessions, ids.dmitry, TUESDAY)
    assert "Только Дмитрию" not in await _due_texts(sessions, ids.anna, TUESDAY)


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(Homework).where(Homework.external_id.like("bot-%"))
        )
    return int(found or 0)


async def test_forged_pupils_and_bad_input_are_refused_and_nothing_is_written(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    slot = LessonSlot(TODAY, 1, ids.class_7a)
    group = LessonSlot(TODAY, 3, ids.class_7a, ids.group_1)
    cases: list[tuple[LessonSlot, str, list[int] | None, date | None, Problem]] = [
        (slot, "x", [ids.boris], None, Problem.NOT_IN_LESSON),  # another class
        (group, "x", [ids.dmitry], None, Problem.NOT_IN_LESSON),  # the other group
        (slot, "x", [], None, Problem.NOT_IN_LESSON),
        (slot, "x", None, TODAY, Problem.BAD_DUE),  # due on the lesson's own day
        (slot, "x", None, TODAY + timedelta(days=400), Problem.BAD_DUE),
        (slot, "  \n ", None, None, Problem.EMPTY),
        (slot, "я" * (TEXT_LIMIT + 1), None, None, Problem.TOO_LONG),
    ]
    for at, text, pupils, due, problem in cases:
        async with sessions() as session:
            with pytest.raises(HomeworkInputError) as wrong:
                await assign_homework(
                    session,
                    _teacher(ids.krylova),
                    at,
                    text,
                    [],
                    pupils=pupils,
                    due=due,
                    now=NOW,
                    today=TODAY,
                )
            assert wrong.value.problem == problem, (text[:5], pupils, due)
            await session.commit()
    assert await _count(sessions) == 0


async def test_not_your_lesson_is_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    ids = await _ids(sessions)
    cases = [
        (ids.krylova, LessonSlot(TODAY, 2, ids.class_7a), Refusal.NOT_YOURS),  # Орлов covers
        (ids.orlov, LessonSlot(TODAY, 1, ids.class_7a), Refusal.NOT_YOURS),
        (ids.krylova, LessonSlot(TUESDAY, 1, ids.class_7a), Refusal.OUTSIDE_WINDOW),  # ahead
    ]
    for staff, slot, refusal in cases:
        async with sessions() as session:
            with pytest.raises(WriteRefused) as refused:
                await assign_homework(
                    session,
                    _teacher(staff),
                    slot,
                    "Не мой урок",
                    [],
                    pupils=None,
                    due=None,
                    now=NOW,
                    today=TODAY,
                )
            assert refused.value.refusal == refusal
    assert await _count(sessions) == 0


async def test_the_default_due_date_crosses_the_weekend_and_skips_a_cancelled_lesson(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await _ids(sessions)
    async with sessions() as session:
        subjects = dict((await session.execute(select(Subject.external_id, Subject.id))).all())
        # Tuesday's algebra: next Monday and Tuesday, then the Monday after.
        tuesday = LessonSlot(TUESDAY, 1, ids.class_7a)
        choices = await due_choices(session, tuesday, subjects["ALG"])
        assert choices.lessons
        assert choices.days == (NEXT_MONDAY, NEXT_TUESDAY, date(2026, 12, 14))
        # No lesson of the subject at all: the next school day (Wednesday), not a lesson.
        nothing = await due_choices(session, tuesday, subjects["ENG"])
        assert (nothing.lessons, nothing.days) == (False, (date(2026, 12, 2),))
        saved = await assign_homework(
            session,
            _teacher(ids.krylova, TUESDAY),
            tuesday,
            "К понедельнику",
            [],
            pupils=None,
            due=None,
            now=NOW + timedelta(days=1),
            today=TUESDAY,
        )
        assert saved.due_on == NEXT_MONDAY
        # Monday's Russian (Орлов covers it): Tuesday's is cancelled, so next Monday.
        saved = await assign_homework(
            session,
            _teacher(ids.orlov),
            LessonSlot(TODAY, 2, ids.class_7a),
            "Упр. 120",
            [],
            pupils=None,
            due=None,
            now=NOW,
            today=TODAY,
        )
        assert saved.due_on == NEXT_MONDAY


# -- the file store ------------------------------------------------------------------------


def test_the_store_keeps_a_content_once_under_its_hash_never_the_users_name(
    tmp_path: Path,
) -> None:
    store = FileStore(tmp_path / "files")
    first = store.put(b"same bytes", "../../etc/passwd", None)
    again = store.put(b"same bytes", "C:\\Users\\x\\Задание.PDF", "application/pdf")
    assert first.storage_path.split(".")[0] == again.storage_path.split(".")[0]
    assert valid_storage_path(first.storage_path)
    assert valid_storage_path(again.storage_path)
    assert ".." not in first.storage_path
    assert "passwd" not in first.storage_path
    assert first.file_name == "passwd"
    assert again.file_name == "Задание.PDF"
    assert again.storage_path.endswith(".pdf")
    assert store.put(b"x", "a.p$f", "image/png").storage_path.endswith(".png")
    assert "." not in store.put(b"y", "noext", None).storage_path.rsplit("/", 1)[-1]
    kept = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert len(kept) == 4  # same content with another extension is another file
    assert not [p for p in kept if p.name.startswith(".part-")]
    assert store.path_of(first.storage_path) == (tmp_path / "files" / first.storage_path)


def test_the_store_refuses_large_and_empty_files_and_escaping_paths(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files", max_bytes=10)
    with pytest.raises(FileTooLargeError):
        store.put(b"x" * 11, "big.bin", None)
    with pytest.raises(FileTooLargeError):
        store.put(b"", "empty.txt", None)
    with pytest.raises(FileTooLargeError):
        store.check_size(11)
    store.check_size(None)  # unknown: decided on the bytes
    (tmp_path / "secret.txt").write_text("secret")
    for bad in ("../secret.txt", "/etc/passwd", "ab/cd/../../../secret.txt", "", "files/x"):
        assert store.path_of(bad) is None, bad
    # A well-shaped path that is a symlink out of the store is refused too.
    name = "ab/cd/" + "0" * 64 + ".txt"
    (tmp_path / "files" / "ab" / "cd").mkdir(parents=True)
    os.symlink(tmp_path / "secret.txt", tmp_path / "files" / name)
    assert store.path_of(name) is None
    assert store.path_of("ab/cd/" + "1" * 64) is None  # missing


def test_an_export_reference_round_trips(tmp_path: Path) -> None:
    kept = StoredFile("ab/cd/" + "a" * 64 + ".pdf", "Вариант 1; #2.pdf", "application/pdf", 3)
    ref = export_ref(kept.storage_path, kept.file_name)
    assert ";" not in ref
    assert ref.startswith("files/ab/cd/")
    assert parse_ref(ref) == (kept.storage_path, kept.file_name)
    assert parse_ref("files/../../etc/passwd#x") is None
    assert parse_ref("https://school.example/hw.pdf") is None
