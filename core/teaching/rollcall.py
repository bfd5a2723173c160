"""The roll-call: who is absent (Н) or late (ОП) at a lesson, saved in one transaction.

Saving writes the difference to what the journal holds for that lesson: a new absence gets its
row and its family push (``absence_recorded``, never with a reason); a pupil marked present
again loses the row (kept, with ``deleted_at``); absent ↔ late changes the code. A reason the
class teacher set (Б, У) stays when the teacher marks the pupil absent again. Saving the same
roll-call twice changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Attendance, EventKind
from core.models.enums import AttendanceCode
from core.outbox import Outbox
from core.reader import Reader
from core.teaching.dto import LessonSheet, LessonSlot, RollCallSaved
from core.teaching.lessons import attendance_rows, new_external_id, open_sheet

# Words a teacher types before the numbers: «н 3 17 24», «оп 5», «+ 3» (present again).
_CODES: dict[str, AttendanceCode | None] = {
    "н": AttendanceCode.ABSENT,
    "нб": AttendanceCode.ABSENT,
    "n": AttendanceCode.ABSENT,
    "оп": AttendanceCode.LATE,
    "op": AttendanceCode.LATE,
    "+": None,
    "п": None,
}
_TOKEN = re.compile(r"[^\s,;]+")
_REASONS = (AttendanceCode.ILL, AttendanceCode.EXCUSED)


class RollCallConflict(Exception):  # noqa: N818 - a choice for the teacher, not a bug
    """The roll-call was saved from elsewhere since this screen opened; ``now`` is the journal's
    attendance (student id → Н or ОП) and ``fingerprint`` its fingerprint."""

    def __init__(self, now: dict[int, AttendanceCode], fingerprint: str) -> None:
        super().__init__("roll-call changed meanwhile")
        self.now = now
        self.fingerprint = fingerprint


def roll_code(code: AttendanceCode | None) -> AttendanceCode | None:
    """How a row shows on the roll-call: the class teacher's reasons (Б, У) count as Н."""
    return AttendanceCode.ABSENT if code in _REASONS else code


def roll_fingerprint(attendance: Mapping[int, AttendanceCode]) -> str:
    """A short word for a lesson's attendance as the roll-call shows it (7 base-36 letters)."""
    shown = sorted((student, roll_code(code)) for student, code in attendance.items())
    text = ";".join(f"{student}:{code}" for student, code in shown if code is not None)
    number = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big")
    word = ""
    while number:
        number, digit = divmod(number, 36)
        word = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + word
    return word or "0"


class ShortcutError(ValueError):
    """The shortcut names no code first, a number outside the list, or a word it cannot read."""

    def __init__(self, token: str, size: int) -> None:
        super().__init__(token)
        self.token = token
        self.size = size


def parse_shortcut(text: str, size: int) -> dict[int, AttendanceCode | None]:
    """«н 3 17 24 оп 5» → {3: Н, 17: Н, 24: Н, 5: ОП}; numbers are places in the class list."""
    found: dict[int, AttendanceCode | None] = {}
    code: AttendanceCode | str | None = "unset"
    tokens = _TOKEN.findall(text.lower().replace("ё", "е"))
    if not tokens:
        raise ShortcutError(text, size)
    for token in tokens:
        if token in _CODES:
            code = _CODES[token]
        elif token.isdigit() and code != "unset" and 1 <= int(token) <= size:
            found[int(token)] = code  # type: ignore[assignment]
        else:
            raise ShortcutError(token, size)
    if not found:
        raise ShortcutError(text, size)
    return found


async def save_roll_call(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    absent: Mapping[int, AttendanceCode],
    *,
    now: datetime,
    today: date,
    edit_days: int | None = None,
    base: str | None = None,
) -> RollCallSaved:
    """Make the lesson's attendance ``absent`` (student id → Н or ОП; everybody else present).

    ``base``: the fingerprint of the attendance the teacher's screen started from; when the
    journal no longer matches it, :class:`RollCallConflict` and nothing is written."""
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="save_roll_call"
    )
    rows = await attendance_rows(
        session, slot, sheet.lesson_id, [p.student_id for p in sheet.pupils]
    )
    if base is not None:
        now_codes = {student: AttendanceCode(row.code) for student, row in rows.items()}
        found = roll_fingerprint(now_codes)
        if found != base:
            shown = {s: c for s, code in now_codes.items() if (c := roll_code(code)) is not None}
            raise RollCallConflict(shown, found)
    outbox = Outbox(sheet.school_id, now, silent_before=slot.day)
    added = changed = removed = 0
    for pupil in sheet.pupils:
        wanted = absent.get(pupil.student_id)
        row = rows.get(pupil.student_id)
        if wanted is None and row is not None:
            # A push still waiting for this absence is cancelled (core.notify.fanout).
            _correction(outbox, sheet, row, deleted=True)
            await session.execute(
                update(Attendance).where(Attendance.id == row.id).values(deleted_at=now)
            )
            removed += 1
        elif wanted is not None and row is None:
            await _add(session, outbox, sheet, pupil.student_id, wanted)
            added += 1
        elif wanted is not None and row is not None and row.code != wanted:
            if wanted == AttendanceCode.ABSENT and row.code in _REASONS:
                continue  # the class teacher's reason refines the Н
            # Told before the update: the UPDATE refreshes ``row`` in the session.
            _correction(outbox, sheet, row, code=wanted)
            await session.execute(
                update(Attendance).where(Attendance.id == row.id).values(code=wanted)
            )
            changed += 1
    await outbox.flush(session)
    return RollCallSaved(added, changed, removed)


async def _add(
    session: AsyncSession,
    outbox: Outbox,
    sheet: LessonSheet,
    student_id: int,
    code: AttendanceCode,
) -> None:
    row = Attendance(
        school_id=sheet.school_id,
        external_id=new_external_id("absence"),
        student_id=student_id,
        lesson_id=sheet.lesson_id,
        subject_id=sheet.subject_id,
        date=sheet.slot.day,
        period=sheet.slot.period,
        code=code,
    )
    session.add(row)
    await session.flush()
    # No reason in the payload: absence reasons are health data.
    outbox.add(
        EventKind.ABSENCE_RECORDED,
        about=sheet.slot.day,
        object_type="attendance",
        object_id=row.id,
        student_id=student_id,
        payload={
            "date": sheet.slot.day.isoformat(),
            "period": sheet.slot.period,
            "code": str(code),
            "subject_id": sheet.subject_id,
        },
    )


def _correction(
    outbox: Outbox,
    sheet: LessonSheet,
    row: Attendance,
    *,
    code: AttendanceCode | None = None,
    deleted: bool = False,
) -> None:
    """An absence taken back (present again) or changed (Н ↔ ОП) at a new save: the same event
    core.teaching.absences writes, so a pending push is replaced or dropped, never stale."""
    before = roll_code(AttendanceCode(row.code)) or AttendanceCode.ABSENT
    payload: dict[str, object] = {
        "date": sheet.slot.day.isoformat(),
        "period": sheet.slot.period,
        "subject_id": row.subject_id or sheet.subject_id,
    }
    if deleted:
        payload |= {"code": str(before), "deleted": True}
    else:
        payload |= {"code": str(code), "previous": str(before)}
    outbox.add(
        EventKind.ABSENCE_RECORDED,
        about=sheet.slot.day,
        object_type="attendance",
        object_id=row.id,
        student_id=row.student_id,
        payload=payload,
    )
