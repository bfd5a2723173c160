"""Term, year, exam and final marks of a student in an academic year, per subject.

The columns are the terms of the student's class in that year (quarters or halves, by the
class's term kind; the latest class of that year when the student moved); without a class in
that year, the kind of the terms the marks name, else quarters. A term mark for a term of
another kind (a student who came from a class with halves) is left out of the columns.
When a subject has several live marks of one kind and term, the latest entered wins.
Deleted marks never appear. Audited as ``read_attestation``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.permissions import Permission
from core.access.policy import authorize
from core.models import AttestationKind, AttestationMark, SchoolClass, Subject, Term, TermKind
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


async def attestation(
    session: AsyncSession, student_id: int, academic_year_id: int, reader: Reader
) -> Attestation:
    await authorize(
        session,
        reader,
        Permission.ATTESTATION,
        student_id,
        action="read_attestation",
        details={"academic_year_id": academic_year_id},
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
    return Attestation(student_id, academic_year_id, terms, subjects)
