"""A student's debts (задолженности), per subject.

Three sources, for the academic year containing ``on`` (in the summer: the year just ended):

* ``term_mark``: an unsatisfactory term mark (2, 1, ``н/а``, ``незач``) not followed by a
  satisfactory mark of a later term or the year mark (per term the latest entered mark counts);
  skipped when a recorded debt names the same subject and term;
* ``missed_control``: a lesson of the student's class (or their group) up to ``on`` where
  classmates got a mark of a control work type, the student has no mark and was absent;
* ``recorded``: ``Debt`` rows not resolved, of any year.

Deleted marks and attendance never count. Audited as ``read_debts``: judged on ``on``, and the
missed control works only for the reader's window of the year up to ``on``
(:func:`core.access.windows.authorize_span`; a class teacher after a pupil's transfer sees those
of the pupil's days in their class).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.windows import authorize_span
from core.models import AcademicYear, Debt, Subject, Term
from core.reader import Reader
from core.services.debts_data import missed_control_works, open_term_marks
from core.services.naming import collation_key
from core.services.school_data import known_history, load_history


class DebtKind(StrEnum):
    TERM_MARK = "term_mark"
    MISSED_CONTROL = "missed_control"
    RECORDED = "recorded"


@dataclass(frozen=True, slots=True)
class DebtItem:
    kind: DebtKind
    term: str | None = None  # term_mark, recorded
    value: str | None = None  # term_mark: the unsatisfactory mark
    date: dt.date | None = None  # missed_control: the lesson's date
    work_type: str | None = None  # missed_control
    description: str | None = None  # recorded
    due_on: dt.date | None = None  # recorded


@dataclass(frozen=True, slots=True)
class SubjectDebts:
    subject_id: int
    subject: str
    items: tuple[DebtItem, ...]


@dataclass(frozen=True, slots=True)
class Debts:
    student_id: int
    academic_year_id: int | None
    subjects: tuple[SubjectDebts, ...]


async def debts(session: AsyncSession, student_id: int, on: dt.date, reader: Reader) -> Debts:
    # Only dates are worked out before the check (the year of ``on``); nothing is shown unless
    # it grants, and an unknown id is refused like any other.
    known = await known_history(session, student_id)
    year = (
        (
            await session.execute(
                select(AcademicYear.id, AcademicYear.starts_on, AcademicYear.ends_on)
                .where(AcademicYear.school_id == known.school_id, AcademicYear.starts_on <= on)
                .order_by(AcademicYear.starts_on.desc())
                .limit(1)
            )
        ).one_or_none()
        if known
        else None
    )
    # The debts are the state on ``on``; the missed control works are dated, and a class
    # teacher after a pupil's transfer sees those of the pupil's days in their class only.
    missed_span = (year[1], min(on, year[2])) if year is not None else None
    allowed = await authorize_span(
        session,
        reader,
        Permission.DEBTS,
        student_id,
        on,
        on,
        action="read_debts",
        details={"on": on.isoformat()},
        counted=missed_span if missed_span and missed_span[0] <= missed_span[1] else None,
    )
    history = known or await load_history(session, student_id)
    names: dict[int, str] = {}
    items: dict[int, list[DebtItem]] = {}

    def add(subject_id: int, subject: str, item: DebtItem) -> None:
        names[subject_id] = subject
        items.setdefault(subject_id, []).append(item)

    recorded = (
        await session.execute(
            select(Debt, Subject.name, Term.name)
            .join(Subject, Subject.id == Debt.subject_id)
            .outerjoin(Term, Term.id == Debt.term_id)
            .where(Debt.student_id == student_id, Debt.resolved_on.is_(None))
            .order_by(Debt.due_on, Debt.id)
        )
    ).all()
    for debt, subject, term_name in recorded:
        item = DebtItem(
            DebtKind.RECORDED, term=term_name, description=debt.description, due_on=debt.due_on
        )
        add(debt.subject_id, subject, item)
    if year is not None:
        recorded_terms = {(debt.subject_id, debt.term_id) for debt, _, _ in recorded}
        for mark in await open_term_marks(session, student_id, year[0]):
            if (mark.subject_id, mark.term_id) not in recorded_terms:
                item = DebtItem(DebtKind.TERM_MARK, term=mark.term, value=mark.value)
                add(mark.subject_id, mark.subject, item)
        for work in await missed_control_works(session, history, year[1], min(on, year[2])):
            if not allowed.covers(work.date):
                continue
            add(
                work.subject_id,
                work.subject,
                DebtItem(DebtKind.MISSED_CONTROL, date=work.date, work_type=work.work_type),
            )
    subjects = tuple(
        SubjectDebts(sid, names[sid], tuple(items[sid]))
        for sid in sorted(names, key=lambda s: (collation_key(names[s]), s))
    )
    return Debts(student_id, year[0] if year else None, subjects)
