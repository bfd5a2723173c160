"""core.services.homework: general and individual homework, groups, attachments, movement."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import HomeworkAttachment, MovementKind
from core.services.homework import homework_by_subject, homework_due
from tests.services.factory import READER, build_world

TUE, WED, THU = date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)


async def test_homework_due_on_a_date(session: AsyncSession) -> None:
    w = await build_world(session)
    group1 = await w.group(w.c7a, "Английский, группа 1", w.english)
    group2 = await w.group(w.c7a, "Английский, группа 2", w.english)
    anna = await w.student("Иванова", "Анна", w.c7a)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.join(group1, anna)
    await w.join(group2, boris)
    algebra = await w.homework(w.c7a, w.algebra, TUE, "№ 123, 125", teacher=w.petrova)
    await w.add(
        HomeworkAttachment(
            homework_id=algebra.id,
            file_name="задачи.pdf",
            content_type="application/pdf",
            size_bytes=2048,
            storage_path="hw/1/задачи.pdf",
        ),
        HomeworkAttachment(
            homework_id=algebra.id, file_name="Видеоурок", url="https://example.org/v"
        ),
    )
    await w.homework(w.c7a, w.english, TUE, "Ex. 5 p. 40", group=group1, teacher=w.sidorov)
    await w.homework(w.c7a, w.english, TUE, "Ex. 7 p. 41", group=group2)
    await w.homework(w.c7b, w.algebra, TUE, "7Б: № 200")
    await w.homework(w.c7a, w.physics, TUE, "Доклад о Ньютоне", student=anna)
    await w.homework(w.c7a, w.physics, TUE, "Доклад о Галилее", student=boris)
    await w.homework(w.c7a, w.russian, TUE, "Упр. 12", deleted=True)
    await w.homework(w.c7a, w.russian, WED, "Упр. 13")

    items = await homework_due(session, anna.id, TUE, READER)

    assert [(i.subject, i.text, i.individual) for i in items] == [
        ("Алгебра", "№ 123, 125", False),
        ("Английский язык", "Ex. 5 p. 40", False),
        ("Физика", "Доклад о Ньютоне", True),
    ]
    algebra_item, english_item, _ = items
    assert algebra_item.teacher == "Петрова М. И."
    assert [(a.file_name, a.url, a.storage_path) for a in algebra_item.attachments] == [
        ("задачи.pdf", None, "hw/1/задачи.pdf"),
        ("Видеоурок", "https://example.org/v", None),
    ]
    assert algebra_item.attachments[0].size_bytes == 2048
    assert (english_item.group, english_item.attachments) == ("Английский, группа 1", ())
    boris_items = await homework_due(session, boris.id, TUE, READER)
    assert [i.text for i in boris_items] == ["№ 123, 125", "Ex. 7 p. 41", "Доклад о Галилее"]


async def test_homework_by_subject_over_a_range(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.homework(w.c7a, w.russian, THU, "Упр. 14")
    await w.homework(w.c7a, w.russian, TUE, "Упр. 12")
    await w.homework(w.c7a, w.algebra, WED, "№ 130")
    await w.homework(w.c7a, w.algebra, date(2026, 11, 23), "№ 140")  # after the range
    subjects = await homework_by_subject(session, anna.id, TUE, THU, READER)
    assert [(s.subject, [(i.due_on, i.text) for i in s.items]) for s in subjects] == [
        ("Алгебра", [(WED, "№ 130")]),
        ("Русский язык", [(TUE, "Упр. 12"), (THU, "Упр. 14")]),
    ]
    only = await homework_by_subject(session, anna.id, TUE, THU, READER, subject_id=w.russian.id)
    assert [s.subject for s in only] == ["Русский язык"]


async def test_homework_follows_the_class_the_student_was_in(session: AsyncSession) -> None:
    w = await build_world(session)
    vera = await w.student("Волкова", "Вера", w.c7b)
    await w.move(vera, MovementKind.ENROLLED, date(2026, 9, 1), w.c7a)
    await w.move(vera, MovementKind.TRANSFERRED, WED, w.c7b)
    await w.homework(w.c7a, w.algebra, TUE, "7А до перевода")
    await w.homework(w.c7a, w.algebra, THU, "7А после перевода")
    await w.homework(w.c7b, w.algebra, TUE, "7Б до перевода")
    await w.homework(w.c7b, w.algebra, THU, "7Б после перевода")
    (algebra,) = await homework_by_subject(session, vera.id, TUE, THU, READER)
    assert [i.text for i in algebra.items] == ["7А до перевода", "7Б после перевода"]
