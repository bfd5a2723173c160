"""core.services.timetable: template, changes, holidays, bells, groups, student movement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import ChangeKind, Group, MovementKind, Student
from core.services.timetable import class_timetable, student_timetable, teacher_timetable
from core.services.timetable_lessons import TimetableLesson
from tests.services.factory import READER, World, build_world

PREV_MON, MON, TUE, WED, NEXT_MON = (
    date(2026, 11, 9),
    date(2026, 11, 16),
    date(2026, 11, 17),
    date(2026, 11, 18),
    date(2026, 11, 23),
)


@dataclass
class Week:
    w: World
    group1: Group
    group2: Group
    anna: Student  # English group 1
    boris: Student  # English group 2


async def monday_of_7a(w: World) -> Week:
    """7А on Mondays: 1 Алгебра, 2 English in two groups, 3 Физика, 4 Русский until 15.11."""
    group1 = await w.group(w.c7a, "Английский, группа 1", w.english)
    group2 = await w.group(w.c7a, "Английский, группа 2", w.english)
    anna = await w.student("Иванова", "Анна", w.c7a)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.join(group1, anna)
    await w.join(group2, boris)
    await w.entry(w.c7a, w.algebra, 1, 1, teacher=w.petrova, room="21")
    await w.entry(w.c7a, w.english, 1, 2, teacher=w.sidorov, group=group1, room="31")
    await w.entry(w.c7a, w.english, 1, 2, teacher=w.yozhikov, group=group2, room="32")
    await w.entry(w.c7a, w.physics, 1, 3, teacher=w.yozhikov, room="40")
    await w.entry(w.c7a, w.russian, 1, 4, teacher=w.petrova, room="21", valid_to=date(2026, 11, 15))
    await w.entry(w.c7a, w.russian, 2, 1, teacher=w.petrova, room="21")  # a Tuesday
    await w.entry(w.c7b, w.russian, 1, 1, teacher=w.petrova, room="12")
    return Week(w, group1, group2, anna, boris)


def brief(lessons: tuple[TimetableLesson, ...]) -> list[tuple[int, str, str | None, str | None]]:
    return [(x.period, x.subject, x.group, x.teacher) for x in lessons]


async def test_class_timetable_from_the_template(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    day = await class_timetable(session, week.w.c7a.id, MON, READER)
    assert (day.class_name, day.holiday, day.in_school) == ("7А", None, True)
    assert brief(day.lessons) == [
        (1, "Алгебра", None, "Петрова М. И."),
        (2, "Английский язык", "Английский, группа 1", "Сидоров О."),
        (2, "Английский язык", "Английский, группа 2", "Ёжиков И. П."),
        (3, "Физика", None, "Ёжиков И. П."),
    ]
    first = day.lessons[0]
    assert (first.starts_at, first.ends_at, first.room) == (time(8, 0), time(8, 40), "21")
    assert (first.change, first.cancelled, first.original_teacher) == (None, False, None)
    # The Русский entry was valid until 15.11: a week earlier it is there.
    earlier = await class_timetable(session, week.w.c7a.id, PREV_MON, READER)
    assert [x.subject for x in earlier.lessons][-1] == "Русский язык"
    assert earlier.lessons[-1].starts_at == time(10, 40)


async def test_a_student_sees_only_their_group(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    anna = await student_timetable(session, week.anna.id, MON, READER)
    assert brief(anna.lessons) == [
        (1, "Алгебра", None, "Петрова М. И."),
        (2, "Английский язык", "Английский, группа 1", "Сидоров О."),
        (3, "Физика", None, "Ёжиков И. П."),
    ]
    boris = await student_timetable(session, week.boris.id, MON, READER)
    assert [x.group for x in boris.lessons] == [None, "Английский, группа 2", None]


async def test_group_membership_dates_are_honoured(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    vika = await week.w.student("Смирнова", "Виктория", week.w.c7a)
    await week.w.join(week.group1, vika, left=date(2026, 11, 10))  # first day out
    await week.w.join(week.group2, vika, joined=date(2026, 11, 10))
    before = await student_timetable(session, vika.id, PREV_MON, READER)
    after = await student_timetable(session, vika.id, MON, READER)
    assert [x.group for x in before.lessons if x.period == 2] == ["Английский, группа 1"]
    assert [x.group for x in after.lessons if x.period == 2] == ["Английский, группа 2"]


async def test_a_holiday_has_no_lessons(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    day = await class_timetable(session, w.c7a.id, date(2026, 10, 26), READER)
    assert (day.holiday, day.lessons) == ("Осенние каникулы", ())
    student_day = await student_timetable(session, week.anna.id, date(2026, 11, 2), READER)
    assert (student_day.holiday, student_day.lessons, student_day.in_school) == (
        "Осенние каникулы",
        (),
        True,
    )
    # The grade-1 week off is no holiday for 7А.
    await w.entry(w.c1a, w.russian, 1, 1, teacher=w.petrova)
    feb_15 = date(2027, 2, 15)
    first_grade = await class_timetable(session, w.c1a.id, feb_15, READER)
    assert (first_grade.holiday, first_grade.lessons) == ("Дополнительные каникулы", ())
    assert len((await class_timetable(session, w.c7a.id, feb_15, READER)).lessons) == 4


async def test_a_substitution_changes_the_teacher(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(
        ChangeKind.SUBSTITUTION,
        w.c7a,
        MON,
        1,
        subject_id=w.algebra.id,
        absent_teacher_id=w.petrova.id,
        teacher_id=w.sidorov.id,
    )
    algebra = (await student_timetable(session, week.anna.id, MON, READER)).lessons[0]
    assert (algebra.subject, algebra.teacher, algebra.original_teacher) == (
        "Алгебра",
        "Сидоров О.",
        "Петрова М. И.",
    )
    assert (algebra.change, algebra.cancelled, algebra.room) == (
        ChangeKind.SUBSTITUTION,
        False,
        "21",
    )
    # Only on that date.
    later = (await student_timetable(session, week.anna.id, NEXT_MON, READER)).lessons[0]
    assert (later.teacher, later.change) == ("Петрова М. И.", None)


async def test_a_substitution_with_another_subject(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(
        ChangeKind.SUBSTITUTION,
        w.c7a,
        MON,
        3,
        teacher_id=w.petrova.id,
        new_subject_id=w.russian.id,
        room="21",
    )
    physics = (await class_timetable(session, w.c7a.id, MON, READER)).lessons[-1]
    assert (physics.subject, physics.original_subject) == ("Русский язык", "Физика")
    assert (physics.teacher, physics.original_teacher) == ("Петрова М. И.", "Ёжиков И. П.")
    assert (physics.room, physics.original_room) == ("21", "40")


async def test_a_cancellation_keeps_the_lesson_flagged(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(ChangeKind.CANCELLATION, w.c7a, MON, 3)
    lessons = (await student_timetable(session, week.anna.id, MON, READER)).lessons
    assert [(x.subject, x.cancelled) for x in lessons] == [
        ("Алгебра", False),
        ("Английский язык", False),
        ("Физика", True),
    ]
    assert lessons[-1].change == ChangeKind.CANCELLATION


async def test_a_group_cancellation_touches_that_group_only(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(ChangeKind.CANCELLATION, w.c7a, MON, 2, group_id=week.group2.id)
    lessons = (await class_timetable(session, w.c7a.id, MON, READER)).lessons
    assert [(x.group, x.cancelled) for x in lessons if x.period == 2] == [
        ("Английский, группа 1", False),
        ("Английский, группа 2", True),
    ]


async def test_a_room_change_shows_the_new_room(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(ChangeKind.ROOM_CHANGE, w.c7a, MON, 1, room="15")
    algebra = (await class_timetable(session, w.c7a.id, MON, READER)).lessons[0]
    assert (algebra.room, algebra.original_room, algebra.change) == (
        "15",
        "21",
        ChangeKind.ROOM_CHANGE,
    )
    assert algebra.teacher == "Петрова М. И."


async def test_a_moved_lesson(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(
        ChangeKind.MOVED,
        w.c7a,
        MON,
        3,
        subject_id=w.physics.id,
        moved_to_date=WED,
        moved_to_period=5,
    )
    monday = (await student_timetable(session, week.anna.id, MON, READER)).lessons
    physics = monday[-1]
    assert (physics.subject, physics.cancelled, physics.change) == (
        "Физика",
        True,
        ChangeKind.MOVED,
    )
    assert (physics.moved_to, physics.moved_to_period) == (WED, 5)
    wednesday = (await student_timetable(session, week.anna.id, WED, READER)).lessons
    assert brief(wednesday) == [(5, "Физика", None, "Ёжиков И. П.")]
    arrived = wednesday[0]
    assert (arrived.cancelled, arrived.change, arrived.moved_from, arrived.moved_from_period) == (
        False,
        ChangeKind.MOVED,
        MON,
        3,
    )
    assert (arrived.starts_at, arrived.room) == (time(11, 30), "40")
    # Ёжиков has no Wednesday lessons of his own: the moved one is there, Monday's struck out.
    teacher_wednesday = await teacher_timetable(session, w.yozhikov.id, WED, READER)
    assert [(x.class_name, x.period, x.subject) for x in teacher_wednesday.lessons] == [
        ("7А", 5, "Физика")
    ]
    teacher_monday = await teacher_timetable(session, w.yozhikov.id, MON, READER)
    assert [(x.period, x.subject, x.cancelled) for x in teacher_monday.lessons] == [
        (2, "Английский язык", False),
        (3, "Физика", True),
    ]


async def test_an_extra_lesson(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.change(
        ChangeKind.EXTRA,
        w.c7a,
        TUE,
        2,
        subject_id=w.algebra.id,
        teacher_id=w.petrova.id,
        room="21",
    )
    lessons = (await student_timetable(session, week.anna.id, TUE, READER)).lessons
    assert brief(lessons) == [
        (1, "Русский язык", None, "Петрова М. И."),
        (2, "Алгебра", None, "Петрова М. И."),
    ]
    assert (lessons[1].change, lessons[1].starts_at) == (ChangeKind.EXTRA, time(8, 50))


async def test_a_student_who_moved_class_mid_term(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    vera = await w.student("Волкова", "Вера", w.c7b)
    await w.move(vera, MovementKind.ENROLLED, date(2026, 9, 1), w.c7a)
    await w.move(vera, MovementKind.TRANSFERRED, WED, w.c7b)
    before = await student_timetable(session, vera.id, MON, READER)
    assert (before.class_name, [x.subject for x in before.lessons]) == (
        "7А",
        ["Алгебра", "Физика"],  # in no English group
    )
    after = await student_timetable(session, vera.id, NEXT_MON, READER)
    assert (after.class_name, brief(after.lessons)) == (
        "7Б",
        [(1, "Русский язык", None, "Петрова М. И.")],
    )
    assert after.lessons[0].room == "12"


async def test_a_student_who_left_is_gone_but_the_class_goes_on(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    gleb = await w.student("Гусев", "Глеб", w.c7a, left_on=WED)
    present = await student_timetable(session, gleb.id, MON, READER)
    assert [x.subject for x in present.lessons] == ["Алгебра", "Физика"]  # in no English group
    gone = await student_timetable(session, gleb.id, NEXT_MON, READER)
    assert (gone.in_school, gone.class_id, gone.lessons) == (False, None, ())
    assert len((await class_timetable(session, w.c7a.id, NEXT_MON, READER)).lessons) == 4


async def test_a_second_shift_rings_its_own_bells(session: AsyncSession) -> None:
    w = await build_world(session)
    await w.entry(w.c10a, w.physics, 1, 2, teacher=w.yozhikov)
    (lesson,) = (await class_timetable(session, w.c10a.id, MON, READER)).lessons
    assert (lesson.starts_at, lesson.ends_at) == (time(13, 50), time(14, 30))


async def test_a_teacher_sees_their_lessons_with_substitutions(session: AsyncSession) -> None:
    week = await monday_of_7a(await build_world(session))
    w = week.w
    await w.entry(w.c10a, w.physics, 1, 1, teacher=w.yozhikov, room="40")
    # Ёжиков is replaced in 7А's Физика by Петрова; Петрова's Алгебра is cancelled.
    await w.change(
        ChangeKind.SUBSTITUTION,
        w.c7a,
        MON,
        3,
        absent_teacher_id=w.yozhikov.id,
        teacher_id=w.petrova.id,
    )
    await w.change(ChangeKind.CANCELLATION, w.c7a, MON, 1)
    yozhikov = await teacher_timetable(session, w.yozhikov.id, MON, READER)
    assert yozhikov.teacher == "Ёжиков И. П."
    assert [(x.class_name, x.period, x.subject, x.starts_at) for x in yozhikov.lessons] == [
        ("10А", 1, "Физика", time(13, 0)),
        ("7А", 2, "Английский язык", time(8, 50)),
    ]
    petrova = await teacher_timetable(session, w.petrova.id, MON, READER)
    assert [(x.class_name, x.period, x.subject, x.cancelled) for x in petrova.lessons] == [
        ("7А", 1, "Алгебра", True),
        ("7Б", 1, "Русский язык", False),
        ("7А", 3, "Физика", False),
    ]
    assert petrova.lessons[2].original_teacher == "Ёжиков И. П."
