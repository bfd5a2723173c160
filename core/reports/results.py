"""Each pupil's result in each subject for a period: an attestation mark, else the average's mark.

Source, per subject: when any pupil covered has a live attestation mark of the period's kind for
the subject (a term mark of that term, a year mark for the year) the subject is computed on
attestation marks (the latest entered wins; a pupil without one is not assessed); otherwise on
the marks of the period: the weighted average (:func:`core.grading.weighted_average`, half-up to
two places) turned into a mark by the school's thresholds (:func:`core.grading.suggested_mark`).
A pupil without numeric marks takes ``осв`` when an ``осв`` mark was given, else ``н/а`` when
one was given, else ``незач``/``зач``, else nothing. A date range is always on averages.

Two statements for any number of pupils: the attestation marks (index on student and year)
and the marks of the period (index on student and date), with the subjects' names.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import numeric_value, suggested_mark, weighted_average
from core.models import AttestationKind, AttestationMark, Mark, Subject, WorkType
from core.reports.period import PeriodKind, Span
from core.reports.rules import ReportRules

NOT_ATTESTED = "н/а"
EXEMPT = "осв"
PASS = "зач"  # noqa: S105 - a mark, not a password
FAIL = "незач"

Result = int | str  # 1..5, or one of the words above


class Source(StrEnum):
    ATTESTATION = "attestation"
    AVERAGES = "averages"


@dataclass(frozen=True, slots=True)
class SubjectResults:
    subject_id: int
    subject: str
    source: Source
    results: dict[int, Result]  # pupil id → result; pupils without one are absent


async def load_results(
    session: AsyncSession,
    pupil_ids: Collection[int],
    span: Span,
    rules: ReportRules,
    subject_ids: frozenset[int] | None = None,
) -> tuple[SubjectResults, ...]:
    """Every subject's results for the pupils over the span (subjects limited when given)."""
    if not pupil_ids:
        return ()
    names: dict[int, str] = {}
    attested: dict[int, dict[int, Result]] = {}
    kind = {PeriodKind.TERM: AttestationKind.TERM, PeriodKind.YEAR: AttestationKind.YEAR}.get(
        span.kind
    )
    if kind is not None:
        query = (
            select(
                AttestationMark.subject_id,
                Subject.name,
                AttestationMark.student_id,
                AttestationMark.value,
                AttestationMark.numeric_value,
            )
            .join(Subject, Subject.id == AttestationMark.subject_id)
            .where(
                AttestationMark.student_id.in_(pupil_ids),
                AttestationMark.academic_year_id == span.academic_year_id,
                AttestationMark.kind == kind,
                AttestationMark.deleted_at.is_(None),
            )
            .order_by(AttestationMark.updated_at, AttestationMark.id)
        )
        if span.term_id is not None:
            query = query.where(AttestationMark.term_id == span.term_id)
        if subject_ids is not None:
            query = query.where(AttestationMark.subject_id.in_(subject_ids))
        for sid, name, pupil, value, number in await session.execute(query):
            names[sid] = name
            attested.setdefault(sid, {})[pupil] = _word(value) if number is None else number
    marks_query = (
        select(Mark.subject_id, Subject.name, Mark.student_id, Mark.value, WorkType.weight)
        .join(Subject, Subject.id == Mark.subject_id)
        .outerjoin(WorkType, WorkType.id == Mark.work_type_id)
        .where(
            Mark.student_id.in_(pupil_ids),
            Mark.date.between(span.starts_on, span.ends_on),
            Mark.deleted_at.is_(None),
        )
    )
    if subject_ids is not None:
        marks_query = marks_query.where(Mark.subject_id.in_(subject_ids))
    given: dict[int, dict[int, list[tuple[str, Decimal]]]] = {}
    for sid, name, pupil, value, weight in await session.execute(marks_query):
        if sid in attested:
            continue
        names[sid] = name
        given.setdefault(sid, {}).setdefault(pupil, []).append((value, weight or Decimal(1)))
    subjects = [
        SubjectResults(sid, names[sid], Source.ATTESTATION, results)
        for sid, results in attested.items()
    ]
    for sid, by_pupil in given.items():
        results = {}
        for pupil, marks in by_pupil.items():
            result = average_result(marks, rules)
            if result is not None:
                results[pupil] = result
        subjects.append(SubjectResults(sid, names[sid], Source.AVERAGES, results))
    return tuple(subjects)


def average_result(marks: Collection[tuple[str, Decimal]], rules: ReportRules) -> Result | None:
    """The mark a pupil's marks of the period suggest (see the module's rule)."""
    mark = suggested_mark(weighted_average(marks), rules.thresholds)
    if mark is not None:
        return mark
    words = {_word(value) for value, _ in marks if numeric_value(value) is None}
    return next((w for w in (EXEMPT, NOT_ATTESTED, FAIL, PASS) if w in words), None)


def _word(value: str) -> str:
    return value.strip().casefold()
