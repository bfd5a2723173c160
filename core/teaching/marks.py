"""Marks for a lesson from one message, previewed, then saved with their family pushes.

Two ways to write them (values as in the exchange format: 1–5, зач, незач, н/а, осв):
- in class-list order, one token a pupil: ``5 4 - 3 5 н 4`` (``-`` or ``н``: no mark);
- by numbers, pairs separated by commas: ``3 5, 7 4, 12 н/а`` (a single pair needs no comma when
  its number cannot be a mark: ``12 5``).
Two or three tokens that are all marks and could be read either way (``3 5``, ``3 5 5``) are
refused as ambiguous rather than guessed. Nothing is saved until the teacher confirms.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.exchange.values import BadValue, parse_mark
from core.models import EventKind, Mark, WorkType
from core.outbox import Outbox
from core.reader import Reader
from core.teaching.dto import LessonSheet, LessonSlot, MarksSaved
from core.teaching.lessons import new_external_id, open_sheet

_NONE = frozenset({"-", "—", "н"})


class Problem(StrEnum):
    NOT_A_MARK = "not_a_mark"  # «6», «x»
    NO_SUCH_PUPIL = "no_such_pupil"  # «99 5»
    TOO_LONG = "too_long"  # more marks than pupils
    AMBIGUOUS = "ambiguous"  # «3 5 5»
    EMPTY = "empty"  # nothing to save


class MarksInputError(ValueError):
    def __init__(self, problem: Problem, token: str = "", size: int = 0) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.token = token
        self.size = size


COMMENT_LIMIT = 300  # a note for the family under the mark, not a letter


@dataclass(frozen=True, slots=True)
class NewMark:
    number: int  # the pupil's place in the class list
    value: str
    numeric: int | None
    comment: str | None = None


class MarksConflict(Exception):  # noqa: N818 - a choice for the teacher, not a bug
    """Since the marks were opened, some of these pupils got a mark at this lesson from
    elsewhere (another device, the head teacher): ``given`` is (number, value) of each."""

    def __init__(self, given: tuple[tuple[int, str], ...]) -> None:
        super().__init__("marks given meanwhile")
        self.given = given


def _mark(token: str, size: int) -> tuple[str, int | None]:
    try:
        return parse_mark(token)
    except BadValue:
        raise MarksInputError(Problem.NOT_A_MARK, token, size) from None


def parse_marks(text: str, size: int) -> tuple[NewMark, ...]:
    """The marks ``text`` gives a class of ``size`` pupils; :class:`MarksInputError` names the
    first problem."""
    clean = text.strip().lower().replace("ё", "е")
    if "," in clean:
        return _numbered([part.split() for part in clean.split(",") if part.strip()], size)
    tokens = clean.split()
    if not tokens:
        raise MarksInputError(Problem.EMPTY, size=size)
    if len(tokens) == 2 and tokens[0].isdigit() and not _is_mark(tokens[0]):
        return _numbered([tokens], size)  # «12 5»: pupil 12 gets a 5
    if 2 <= len(tokens) <= 3 and all(_is_mark(t) for t in tokens) and size > len(tokens):
        raise MarksInputError(Problem.AMBIGUOUS, clean, size)
    if len(tokens) > size:
        raise MarksInputError(Problem.TOO_LONG, str(len(tokens)), size)
    found = []
    for number, token in enumerate(tokens, 1):
        if token in _NONE:
            continue
        value, numeric = _mark(token, size)
        found.append(NewMark(number, value, numeric))
    if not found:
        raise MarksInputError(Problem.EMPTY, size=size)
    return tuple(found)


def _is_mark(token: str) -> bool:
    try:
        parse_mark(token)
    except BadValue:
        return False
    return True


def _numbered(parts: Sequence[Sequence[str]], size: int) -> tuple[NewMark, ...]:
    found: dict[int, NewMark] = {}
    for part in parts:
        if len(part) != 2 or not part[0].isdigit():
            raise MarksInputError(Problem.AMBIGUOUS, " ".join(part), size)
        number = int(part[0])
        if not 1 <= number <= size:
            raise MarksInputError(Problem.NO_SUCH_PUPIL, part[0], size)
        value, numeric = _mark(part[1], size)
        found[number] = NewMark(number, value, numeric)
    if not found:
        raise MarksInputError(Problem.EMPTY, size=size)
    return tuple(sorted(found.values(), key=lambda m: m.number))


async def work_types(session: AsyncSession, school_id: int) -> tuple[tuple[int, str], ...]:
    """The school's work types, the most used first (the default for a new mark)."""
    used = (
        select(Mark.work_type_id, func.count().label("n"))
        .where(Mark.school_id == school_id)
        .group_by(Mark.work_type_id)
        .subquery()
    )
    rows = await session.execute(
        select(WorkType.id, WorkType.name)
        .outerjoin(used, used.c.work_type_id == WorkType.id)
        .where(WorkType.school_id == school_id)
        .order_by(func.coalesce(used.c.n, 0).desc(), WorkType.id)
    )
    return tuple((row.id, row.name) for row in rows)


async def save_marks(
    session: AsyncSession,
    reader: Reader,
    slot: LessonSlot,
    marks: Sequence[NewMark],
    *,
    work_type_id: int | None,
    now: datetime,
    today: date,
    edit_days: int | None = None,
    seen: Collection[int] | None = None,
) -> MarksSaved:
    """Add ``marks`` to the lesson (numbers are places in its class list, checked again).

    ``seen``: the ids of the lesson's marks the teacher's screen showed; a mark given since to
    one of these pupils raises :class:`MarksConflict` and nothing is written, so two devices
    never add a pupil's mark twice unnoticed."""
    sheet = await open_sheet(
        session, reader, slot, today=today, edit_days=edit_days, action="save_marks"
    )
    if seen is not None:
        await _check_unseen(session, sheet.lesson_id, sheet, marks, frozenset(seen))
    outbox: Outbox | None = None
    rows: list[Mark] = []
    for new in marks:
        pupil = sheet.pupil(new.number)
        if pupil is None:
            raise MarksInputError(Problem.NO_SUCH_PUPIL, str(new.number), len(sheet.pupils))
        row = Mark(
            school_id=sheet.school_id,
            external_id=new_external_id("mark"),
            student_id=pupil.student_id,
            subject_id=sheet.subject_id,
            lesson_id=sheet.lesson_id,
            teacher_id=reader.staff_id,
            work_type_id=work_type_id,
            date=slot.day,
            value=new.value,
            numeric_value=new.numeric,
            comment=new.comment,
        )
        session.add(row)
        rows.append(row)
    await session.flush()
    for row in rows:
        outbox = outbox or Outbox(sheet.school_id, now, silent_before=slot.day)
        outbox.add(
            EventKind.MARK_ADDED,
            about=slot.day,
            object_type="marks",
            object_id=row.id,
            student_id=row.student_id,
            payload={
                "subject_id": row.subject_id,
                "value": row.value,
                "date": slot.day.isoformat(),
                "work_type_id": work_type_id,
            },
        )
    if outbox is not None:
        await outbox.flush(session)
    return MarksSaved(len(rows))


async def _check_unseen(
    session: AsyncSession,
    lesson_id: int,
    sheet: LessonSheet,
    marks: Sequence[NewMark],
    seen: frozenset[int],
) -> None:
    numbers = {p.student_id: p.number for p in sheet.pupils}
    wanted = {sheet.pupils[m.number - 1].student_id for m in marks if sheet.pupil(m.number)}
    rows = await session.execute(
        select(Mark.id, Mark.student_id, Mark.value).where(
            Mark.lesson_id == lesson_id,
            Mark.deleted_at.is_(None),
            Mark.student_id.in_(wanted),
        )
    )
    given = tuple(
        sorted((numbers[row.student_id], row.value) for row in rows if row.id not in seen)
    )
    if given:
        raise MarksConflict(given)


def with_comment(text: str) -> str:
    """A mark's comment as stored: one line, trimmed; :class:`ValueError` when too long."""
    clean = " ".join(text.split())
    if not clean or len(clean) > COMMENT_LIMIT:
        raise ValueError(clean)
    return clean
