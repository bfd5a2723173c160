"""Term, year, exam and final marks of a student in an academic year, per subject.

The columns are the terms of the student's class in that year (quarters or halves, by the
class's term kind; the latest class of that year when the student moved); without a class in
that year, the kind of the terms the marks name, else quarters. A term mark for a term of
another kind (a student who came from a class with halves) is left out of the columns.
When a subject has several live marks of one kind and term, the latest entered wins.
Deleted marks never appear. Audited as ``read_attestation`` for the reader's window of the
year (:func:`core.access.windows.authorize_span`): a term mark is dated at its term's last day,
the year, exam and final marks at the year's, so after a transfer each class teacher reads the
marks of the terms that ended in the pupil's time in their class.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.access.windows import Clamp, authorize_span
from core.models import (
    AcademicYear,
    AttestationKind,
    AttestationMark,
    SchoolClass,
    Subject,
    Term,
    TermKind,
)
from core.reader import Reader
from core.services.naming import collation_key
from core.services.school_data import TermInfo, load_history, term_info


@dataclass(frozen=True, slots=True)
class AttestationValue:
    value: str
    numeric_value: int | None


@dataclass(frozen=True, slots=True)
class ExamResult:
    exam_name: str | None  # ОГЭ, ЕГЭ
    value: str
    numeric_value: int | None
    score: int | None  # primary or test points


@dataclass(frozen=True, slots=True)
class AttestationSubject:
    subject_id: int
    subject: str
    terms: tuple[AttestationValue | None, ...]  # one per Attestation.terms column
    year: AttestationValue | None
    exams: tuple[ExamResult, ...]
    final: AttestationValue | None


@dataclass(frozen=True, slots=True)
class Attestation:
    student_id: int
    academic_year_id: int
    terms: tuple[TermInfo, ...]
    subjects: tuple[AttestationSubject, ...]
    # The reader's window of the year when less than the year (a class teacher after a pupil's
    # transfer): only the marks of terms ending in it (the year's marks: the year's end).
    limit: Clamp | None = None


async def attestation(
    session: AsyncSession, student_id: int, academic_year_id: int, reader: Reader
) -> Attestation:
    # A term mark is dated at its term's last day (the day it sums up), the year's marks at the
    # year's: the check grants the reader's window of the year, and a class teacher after a
    # transfer sees the marks of the terms that ended in the pupil's time in their class.
    year = (
        await session.execute(
            select(AcademicYear.starts_on, AcademicYear.ends_on).where(
                AcademicYear.id == academic_year_id
            )
        )
    ).one_or_none()
    details = {"academic_year_id": academic_year_id}
    if year is None:
        await authorize(
            session,
            reader,
            Permission.ATTESTATION,
            student_id,
            action="read_attestation",
            details=details,
        )
        allowed = None
    else:
        allowed = await authorize_span(
            session,
            reader,
            Permission.ATTESTATION,
            student_id,
            year.starts_on,
            year.ends_on,
            action="read_attestation",
            details=details,
        )
    history = await load_history(session, student_id)
    # The current class first, then the classes moved into, latest first.
    candidates = [history.class_id, *(m.class_id for m in reversed(history.movements))]
    classes = await session.execute(
        select(SchoolClass.id, SchoolClass.term_kind).where(
            SchoolClass.id.in_({c for c in candidates if c is not None}),
            SchoolClass.academic_year_id == academic_year_id,
        )
    )
    kinds = {class_id: term_kind for class_id, term_kind in classes}
    kind = next((kinds[c] for c in candidates if c in kinds), None)
    rows = (
        await session.execute(
            select(AttestationMark, Subject.name, Term)
            .join(Subject, Subject.id == AttestationMark.subject_id)
            .outerjoin(Term, Term.id == AttestationMark.term_id)
            .where(
                AttestationMark.student_id == student_id,
                AttestationMark.academic_year_id == academic_year_id,
                AttestationMark.deleted_at.is_(None),
            )
            .order_by(AttestationMark.updated_at, AttestationMark.id)
        )
    ).all()
    if kind is None:
        kind = next((t.kind for _, _, t in rows if t is not None), TermKind.QUARTER)
    terms = tuple(
        term_info(t)
        for t in await session.scalars(
            select(Term)
            .where(Term.academic_year_id == academic_year_id, Term.kind == kind)
            .order_by(Term.number)
        )
    )
    column = {t.id: i for i, t in enumerate(terms)}
    names: dict[int, str] = {}
    cells: dict[int, list[AttestationValue | None]] = {}
    years: dict[int, AttestationValue] = {}
    finals: dict[int, AttestationValue] = {}
    exams: dict[int, list[ExamResult]] = {}
    if allowed is not None and allowed.limited and year is not None:
        rows = [
            row
            for row in rows
            if allowed.covers(row[2].ends_on if row[2] is not None else year.ends_on)
        ]
    for mark, name, _term in rows:
        sid = mark.subject_id
        names[sid] = name
        cells.setdefault(sid, [None] * len(terms))
        exams.setdefault(sid, [])
        value = AttestationValue(mark.value, mark.numeric_value)
        if mark.kind == AttestationKind.TERM and mark.term_id in column:
            cells[sid][column[mark.term_id]] = value  # later rows win
        elif mark.kind == AttestationKind.YEAR:
            years[sid] = value
        elif mark.kind == AttestationKind.FINAL:
            finals[sid] = value
        elif mark.kind == AttestationKind.EXAM:
            exams[sid].append(
                ExamResult(mark.exam_name, mark.value, mark.numeric_value, mark.exam_score)
            )
    subjects = tuple(
        AttestationSubject(
            sid, names[sid], tuple(cells[sid]), years.get(sid), tuple(exams[sid]), finals.get(sid)
        )
        for sid in sorted(names, key=lambda s: (collation_key(names[s]), s))
    )
    limit = allowed if allowed is not None and allowed.limited else None
    return Attestation(student_id, academic_year_id, terms, subjects, limit)
