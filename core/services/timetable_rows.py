"""Timetable rows as loaded: a template entry and a dated change (with the entry it names)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.models import ChangeKind


@dataclass(frozen=True, slots=True)
class EntryRow:
    id: int
    class_id: int
    group_id: int | None
    subject_id: int
    teacher_id: int | None
    period: int
    room: str | None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    id: int
    kind: ChangeKind
    date: dt.date
    period: int
    class_id: int
    group_id: int | None
    subject_id: int | None
    new_subject_id: int | None
    absent_teacher_id: int | None
    teacher_id: int | None
    room: str | None
    moved_to_date: dt.date | None
    moved_to_period: int | None
    entry: EntryRow | None  # the template entry the change names, whatever its weekday
