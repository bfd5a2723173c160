"""core.services.topics and core.services.events."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import EventAudience, MovementKind, SchoolEvent
from core.services.events import upcoming_events
from core.services.topics import class_topics, student_topics
from tests.services.factory import READER, World, build_world

MON, TUE, WED, THU, FRI = (date(2026, 11, d) for d in range(16, 21))


async def test_topics_from_the_student_perspective(session: AsyncSession) -> None:
    w = await build_world(session)
    group1 = await w.group(w.c7a, "Английский, группа 1", w.english)
    group2 = await w.group(w.c7a, "Английский, группа 2", w.english)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.join(group1, anna)
    await w.lesson(w.c7a, w.english, MON, 2, group=group1, teacher=w.sidorov, topic="Present")
    await w.lesson(w.c7a, w.english, MON, 2, group=group2, teacher=w.yozhikov, topic="Past")
    await w.lesson(w.c7a, w.english, WED, 4, topic="Контрольная работа")  # the whole class
    await w.lesson(w.c7a, w.english, THU, 2, group=group1)  # no topic yet
    await w.lesson(w.c7a, w.algebra, MON, 1, topic="Уравнения")  # another subject
    await w.lesson(w.c7b, w.english, MON, 3, topic="7Б")  # another class

    topics = await student_topics(session, anna.id, w.english.id, MON, FRI, READER)
    assert [(t.date, t.period, t.topic, t.group) for t in topics] == [
        (MON, 2, "Present", "Английский, группа 1"),
        (WED, 4, "Контрольная работа", None),
        (THU, 2, None, "Английский, группа 1"),
    ]
    assert topics[0].teacher == "Сидоров О."

    group_two = await class_topics(
        session, w.c7a.id, w.english.id, MON, FRI, READER, group_id=group2.id
    )
    assert [t.topic for t in group_two] == ["Past", "Контрольная работа"]
    whole = await class_topics(session, w.c7a.id, w.english.id, MON, FRI, READER)
    assert [t.topic for t in whole] == ["Present", "Past", "Контрольная работа", None]


async def test_topics_follow_the_class_the_student_was_in(session: AsyncSession) -> None:
    w = await build_world(session)
    vera = await w.student("Волкова", "Вера", w.c7b)
    await w.move(vera, MovementKind.ENROLLED, date(2026, 9, 1), w.c7a)
    await w.move(vera, MovementKind.TRANSFERRED, WED, w.c7b)
    await w.lesson(w.c7a, w.algebra, MON, 1, topic="7А до")
    await w.lesson(w.c7a, w.algebra, THU, 1, topic="7А после")
    await w.lesson(w.c7b, w.algebra, MON, 1, topic="7Б до")
    await w.lesson(w.c7b, w.algebra, THU, 1, topic="7Б после")
    topics = await student_topics(session, vera.id, w.algebra.id, MON, FRI, READER)
    assert [t.topic for t in topics] == ["7А до", "7Б после"]


async def _event(
    w: World,
    title: str,
    starts_on: date,
    *,
    ends_on: date | None = None,
    starts_at: time | None = None,
    audience: EventAudience = EventAudience.SCHOOL,
    school_class: object = None,
) -> None:
    class_id = getattr(school_class, "id", None)
    await w.add(
        SchoolEvent(
            school_id=w.school.id,
            title=title,
            audience=audience,
            class_id=class_id,
            starts_on=starts_on,
            ends_on=ends_on,
            starts_at=starts_at,
            place="Актовый зал",
        )
    )


async def test_upcoming_events(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await _event(w, "Концерт", FRI, starts_at=time(18, 0))
    await _event(w, "Ярмарка", FRI)  # all day: before the timed one
    await _event(w, "Экскурсия 7А", WED, audience=EventAudience.CLASS, school_class=w.c7a)
    await _event(w, "Экскурсия 7Б", THU, audience=EventAudience.CLASS, school_class=w.c7b)
    await _event(w, "Педсовет", TUE, audience=EventAudience.STAFF)
    await _event(w, "Прошедший поход", date(2026, 11, 10))
    await _event(w, "Неделя математики", date(2026, 11, 14), ends_on=date(2026, 11, 22))
    await _event(w, "Новогодний бал", date(2026, 12, 25))

    events = await upcoming_events(session, anna.id, MON, READER)
    assert [(e.title, e.class_event) for e in events] == [
        ("Неделя математики", False),
        ("Экскурсия 7А", True),
        ("Ярмарка", False),
        ("Концерт", False),
        ("Новогодний бал", False),
    ]
    assert (events[3].starts_at, events[3].place) == (time(18, 0), "Актовый зал")
    first_two = await upcoming_events(session, anna.id, MON, READER, limit=2)
    assert [e.title for e in first_two] == ["Неделя математики", "Экскурсия 7А"]
