"""The effective timetable of one class on one date: the weekly template with the day's changes.

Pure rules on loaded rows (see :mod:`core.services.timetable_data`). A change applies to the
template lessons of its class at its period - narrowed to its group and planned subject when
it names them, and to its ``timetable_entry_id`` when that entry is among them; a change of the
whole class (no group) applies to every parallel group lesson. A change matching no template
lesson describes its lesson itself (imports often carry only the changes).

* substitution → the new teacher (and subject and room, when given); the original is kept
* cancellation → the lesson stays, flagged ``cancelled``, so a view can strike it through
* room_change → the new room; the original room is kept
* moved → cancelled here with ``moved_to``; a lesson appears at ``moved_to_date`` /
  ``moved_to_period`` with ``moved_from``
* extra → an additional lesson
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.models import ChangeKind
from core.services.timetable_rows import ChangeRow, EntryRow


@dataclass(slots=True)
class Draft:
    """A lesson being assembled; turned into a ``TimetableLesson`` once names are loaded."""

    class_id: int
    group_id: int | None
    period: int
    subject_id: int
    teacher_id: int | None
    room: str | None
    entry_id: int | None = None
    planned: bool = True  # from the template (or the planned lesson a change describes)
    change: ChangeKind | None = None
    cancelled: bool = False
    original_subject_id: int | None = None
    original_teacher_id: int | None = None
    original_room: str | None = None
    moved_to: dt.date | None = None
    moved_to_period: int | None = None
    moved_from: dt.date | None = None
    moved_from_period: int | None = None
    planned_subject_id: int = field(init=False)

    def __post_init__(self) -> None:
        self.planned_subject_id = self.subject_id


def _from_change(change: ChangeRow, *, planned: bool) -> Draft | None:
    entry = change.entry
    subject = change.subject_id or (entry.subject_id if entry else None)
    if not planned:
        subject = change.new_subject_id or subject
    if subject is None:
        return None
    if planned:
        teacher = change.absent_teacher_id or (entry.teacher_id if entry else None)
    else:
        teacher = (
            change.teacher_id or change.absent_teacher_id or (entry.teacher_id if entry else None)
        )
    return Draft(
        class_id=change.class_id,
        group_id=change.group_id or (entry.group_id if entry else None),
        period=change.period,
        subject_id=subject,
        teacher_id=teacher,
        room=(None if planned else change.room) or (entry.room if entry else None),
        entry_id=entry.id if entry else None,
        planned=planned,
    )


def _targets(drafts: list[Draft], change: ChangeRow) -> list[Draft]:
    found = [
        d
        for d in drafts
        if d.planned
        and d.class_id == change.class_id
        and d.period == change.period
        and (change.group_id is None or d.group_id == change.group_id)
        and (change.subject_id is None or d.planned_subject_id == change.subject_id)
    ]
    if change.entry is not None and any(d.entry_id == change.entry.id for d in found):
        found = [d for d in found if d.entry_id == change.entry.id]
    return found


def _apply(draft: Draft, change: ChangeRow) -> None:
    if not draft.cancelled:
        draft.change = change.kind
    if change.kind == ChangeKind.SUBSTITUTION:
        if change.teacher_id is not None and change.teacher_id != draft.teacher_id:
            draft.original_teacher_id = draft.original_teacher_id or draft.teacher_id
            draft.teacher_id = change.teacher_id
        if change.new_subject_id is not None and change.new_subject_id != draft.subject_id:
            draft.original_subject_id = draft.original_subject_id or draft.subject_id
            draft.subject_id = change.new_subject_id
    if change.kind in (ChangeKind.SUBSTITUTION, ChangeKind.ROOM_CHANGE):
        if change.room is not None and change.room != draft.room:
            draft.original_room = draft.original_room or draft.room
            draft.room = change.room
    elif change.kind in (ChangeKind.CANCELLATION, ChangeKind.MOVED):
        draft.cancelled = True
        if change.kind == ChangeKind.MOVED:
            draft.moved_to = change.moved_to_date
            draft.moved_to_period = change.moved_to_period


def build_day(day: dt.date, entries: list[EntryRow], changes: list[ChangeRow]) -> list[Draft]:
    """The lessons of the classes in ``entries``/``changes`` on ``day``, changes applied."""
    drafts = [
        Draft(e.class_id, e.group_id, e.period, e.subject_id, e.teacher_id, e.room, e.id)
        for e in entries
    ]
    for change in sorted(changes, key=lambda c: c.id):
        if change.date == day and change.kind != ChangeKind.EXTRA:
            targets = _targets(drafts, change)
            if not targets:
                described = _from_change(change, planned=True)
                targets = [described] if described else []
                drafts.extend(targets)
            for draft in targets:
                _apply(draft, change)
        arrives = change.kind == ChangeKind.MOVED and change.moved_to_date == day
        if (change.kind == ChangeKind.EXTRA and change.date == day) or arrives:
            added = _from_change(change, planned=False)
            if added is None:
                continue
            added.change = change.kind
            if arrives:
                added.period = change.moved_to_period or change.period
                added.moved_from, added.moved_from_period = change.date, change.period
            drafts.append(added)
    return drafts
