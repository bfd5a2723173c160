"""core.services.timetable_rules on hand-made rows: matching changes to template lessons."""

from __future__ import annotations

from datetime import date

from core.models import ChangeKind
from core.services.timetable_rows import ChangeRow, EntryRow
from core.services.timetable_rules import build_day

DAY = date(2026, 11, 16)
CLASS, GROUP1, GROUP2 = 1, 11, 12
ALGEBRA, ENGLISH = 100, 200
PETROVA, SIDOROV, YOZHIKOV = 7, 8, 9


def change(kind: ChangeKind, period: int, **fields: object) -> ChangeRow:
    values: dict[str, object] = {
        "id": 1,
        "kind": kind,
        "date": DAY,
        "period": period,
        "class_id": CLASS,
        "group_id": None,
        "subject_id": None,
        "new_subject_id": None,
        "absent_teacher_id": None,
        "teacher_id": None,
        "room": None,
        "moved_to_date": None,
        "moved_to_period": None,
        "entry": None,
    }
    values.update(fields)
    return ChangeRow(**values)  # type: ignore[arg-type]


ENTRIES = [
    EntryRow(1, CLASS, None, ALGEBRA, PETROVA, 1, "21"),
    EntryRow(2, CLASS, GROUP1, ENGLISH, SIDOROV, 2, "31"),
    EntryRow(3, CLASS, GROUP2, ENGLISH, YOZHIKOV, 2, "32"),
]


def test_a_whole_class_change_touches_every_parallel_group() -> None:
    drafts = build_day(DAY, ENTRIES, [change(ChangeKind.ROOM_CHANGE, 2, room="Актовый зал")])
    assert [(d.group_id, d.room, d.original_room) for d in drafts if d.period == 2] == [
        (GROUP1, "Актовый зал", "31"),
        (GROUP2, "Актовый зал", "32"),
    ]


def test_a_named_entry_narrows_the_change() -> None:
    named = change(ChangeKind.CANCELLATION, 2, entry=ENTRIES[2])
    drafts = build_day(DAY, ENTRIES, [named])
    assert [(d.group_id, d.cancelled) for d in drafts if d.period == 2] == [
        (GROUP1, False),
        (GROUP2, True),
    ]


def test_a_change_naming_another_subject_leaves_the_lesson_alone() -> None:
    drafts = build_day(DAY, ENTRIES, [change(ChangeKind.CANCELLATION, 1, subject_id=ENGLISH)])
    algebra = next(d for d in drafts if d.subject_id == ALGEBRA)
    assert not algebra.cancelled
    # It describes its own lesson instead (an import that carries only the changes).
    described = [d for d in drafts if d.period == 1 and d.subject_id == ENGLISH]
    assert [(d.cancelled, d.change) for d in described] == [(True, ChangeKind.CANCELLATION)]


def test_a_substitution_without_a_template_describes_its_lesson() -> None:
    only = change(
        ChangeKind.SUBSTITUTION,
        4,
        subject_id=ALGEBRA,
        absent_teacher_id=PETROVA,
        teacher_id=SIDOROV,
        room="15",
    )
    (lesson,) = build_day(DAY, [], [only])
    assert (lesson.period, lesson.subject_id, lesson.teacher_id, lesson.original_teacher_id) == (
        4,
        ALGEBRA,
        SIDOROV,
        PETROVA,
    )
    assert (lesson.room, lesson.change, lesson.cancelled) == ("15", ChangeKind.SUBSTITUTION, False)


def test_a_change_without_any_subject_is_ignored() -> None:
    assert build_day(DAY, [], [change(ChangeKind.CANCELLATION, 5)]) == []


def test_a_lesson_moved_within_the_day() -> None:
    moved = change(ChangeKind.MOVED, 1, moved_to_date=DAY, moved_to_period=6, entry=ENTRIES[0])
    drafts = build_day(DAY, ENTRIES[:1], [moved])
    assert [(d.period, d.cancelled, d.moved_to_period, d.moved_from_period) for d in drafts] == [
        (1, True, 6, None),
        (6, False, None, 1),
    ]
    assert drafts[1].teacher_id == PETROVA
