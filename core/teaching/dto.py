"""What the teaching services take and give (frozen, messenger-neutral)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

from core.models.enums import AttendanceCode


@dataclass(frozen=True, slots=True)
class LessonSlot:
    """A lesson as a teacher's button names it; never trusted: re-judged on every write."""

    day: date
    period: int
    class_id: int
    group_id: int | None = None


@dataclass(frozen=True, slots=True)
class Pupil:
    number: int  # the place in the class list, from 1
    student_id: int
    name: str  # Фамилия Имя


@dataclass(frozen=True, slots=True)
class LessonSheet:
    """An opened lesson: what it is, who is in it, who is marked absent or late."""

    slot: LessonSlot
    lesson_id: int
    school_id: int
    subject_id: int
    subject: str
    class_name: str
    group: str | None
    starts_at: time | None
    ends_at: time | None
    topic: str | None
    pupils: tuple[Pupil, ...]
    attendance: dict[int, AttendanceCode]  # student id → Н or ОП (reasons are set later)
    marks: dict[int, tuple[str, ...]]  # student id → this lesson's marks, oldest first

    def pupil(self, number: int) -> Pupil | None:
        return self.pupils[number - 1] if 1 <= number <= len(self.pupils) else None


class Refusal(StrEnum):
    """Why a write to a lesson is refused; the handler says it in the user's words."""

    NOT_YOURS = "not_yours"  # not the teacher (or substitute) of that lesson that day
    OUTSIDE_WINDOW = "outside_window"  # older than the edit window, or in the future
    NO_SUCH_LESSON = "no_such_lesson"  # the timetable (after changes) has no such lesson


class WriteRefused(Exception):  # noqa: N818 - a refusal the teacher is told about, not a bug
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class RollCallSaved:
    added: int  # newly absent or late
    changed: int  # absent ↔ late
    removed: int  # marked present again

    @property
    def nothing(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass(frozen=True, slots=True)
class MarksSaved:
    added: int
