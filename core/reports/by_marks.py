"""The report by marks: per subject, over a class, a parallel, a teacher's classes or the school.

For each subject: N and the rule used for it, the pupils with 5 / 4 / 3 / 2 / 1 / н/а / осв,
quality % = (n5 + n4)·100 / N, success % = (n5 + n4 + n3)·100 / N, СОУ = (100·n5 + 64·n4 +
36·n3 + 16·n2 + 7·x)/N where x is n1 or nна (:attr:`ReportRules.sou_weight_7_on_not_attested`;
the other one weighs 0), and the average of the pupils' numeric results. Percentages and СОУ
are rounded half-up to two places, the average too. docs/reports.md is the full statement.

Over several classes the pupils are pooled per subject (a parallel's 5s are the sum of its
classes' 5s). A subject's source is attestation marks or averages (:mod:`core.reports.results`);
pooled over classes with different sources it reports ``mixed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import round_half_up
from core.models import SchoolClass, TeachingAssignment, TimetableEntry
from core.reader import Reader
from core.reports.period import ReportPeriod, resolve
from core.reports.results import EXEMPT, FAIL, NOT_ATTESTED, PASS, Result, load_results
from core.reports.roster import grant
from core.reports.rules import ReportRules, load_rules
from core.services.class_data import load_classes
from core.services.naming import collation_key

SOU_WEIGHTS = {5: 100, 4: 64, 3: 36, 2: 16}
SOU_SEVEN = 7


@dataclass(frozen=True, slots=True)
class Counts:
    """How many pupils got each result in one subject."""

    five: int = 0
    four: int = 0
    three: int = 0
    two: int = 0
    one: int = 0
    not_attested: int = 0
    exempt: int = 0
    passed: int = 0  # зач
    failed: int = 0  # незач

    @classmethod
    def of(cls, results: Iterable[Result]) -> Counts:
        found = list(results)
        return cls(
            five=found.count(5),
            four=found.count(4),
            three=found.count(3),
            two=found.count(2),
            one=found.count(1),
            not_attested=found.count(NOT_ATTESTED),
            exempt=found.count(EXEMPT),
            passed=found.count(PASS),
            failed=found.count(FAIL),
        )

    @property
    def numeric(self) -> int:
        return self.five + self.four + self.three + self.two + self.one


@dataclass(frozen=True, slots=True)
class SubjectRow:
    subject_id: int
    subject: str
    source: str  # "attestation", "averages" or "mixed"
    counts: Counts
    n: int
    quality: Decimal | None  # percent; None when N = 0
    success: Decimal | None
    sou: Decimal | None
    average: Decimal | None  # of the numeric results


@dataclass(frozen=True, slots=True)
class MarksReport:
    class_ids: tuple[int, ...]
    period: ReportPeriod
    on: date | None  # the report's day asked for; None: each class's period end
    rules: ReportRules
    n_rule: str  # ReportRules.n_rule
    sou_rule: str  # ReportRules.sou_rule
    source: str  # "attestation", "averages", "mixed" (or "none" without subjects)
    subjects: tuple[SubjectRow, ...]  # by subject name


def figures(
    subject_id: int, subject: str, source: str, results: Sequence[Result], rules: ReportRules
) -> SubjectRow:
    """One subject's row from its pupils' results (pure)."""
    counts = Counts.of(results)
    n = (
        counts.numeric
        + (counts.not_attested if rules.n_counts_not_attested else 0)
        + (counts.exempt if rules.n_counts_exempt else 0)
    )
    seven = counts.not_attested if rules.sou_weight_7_on_not_attested else counts.one
    sou_points = (
        100 * counts.five + 64 * counts.four + 36 * counts.three + 16 * counts.two + 7 * seven
    )
    numbers = [r for r in results if isinstance(r, int)]
    return SubjectRow(
        subject_id,
        subject,
        source,
        counts,
        n,
        rules.percent(counts.five + counts.four, n),
        rules.percent(counts.five + counts.four + counts.three, n),
        None if n == 0 else round_half_up(Decimal(sou_points) / Decimal(n), rules.percent_places),
        round_half_up(Decimal(sum(numbers)) / len(numbers), 2) if numbers else None,
    )


async def by_marks(
    session: AsyncSession,
    class_ids: Sequence[int],
    period: ReportPeriod,
    reader: Reader,
    *,
    on: date | None = None,
    subject_ids: frozenset[int] | None = None,
    subjects_by_class: Mapping[int, frozenset[int]] | None = None,
    rules: ReportRules | None = None,
) -> MarksReport:
    """The report by marks over the classes (one class, a parallel, a teacher's, the school).

    ``on`` is the report's day (default: the reader's ``today``, else the period's end); each
    class's pupils are those in it on ``min(on, period end)``. Raises AccessDenied when any
    class is refused; a teacher's subjects are limited to those they teach (see roster.py).
    ``subject_ids`` limits every class, ``subjects_by_class`` each (a teacher's load,
    :func:`teacher_load`).
    """
    infos = await load_classes(session, set(class_ids))
    if not infos:
        raise ValueError("no classes to report on")
    if rules is None:
        rules = await load_rules(session, next(iter(infos.values())).school_id)
    pooled: dict[int, list[Result]] = {}
    names: dict[int, str] = {}
    sources: dict[int, set[str]] = {}
    report_day = on or reader.today
    for class_id in sorted(infos):
        span = await resolve(session, period, infos[class_id])
        day = min(report_day, span.ends_on) if report_day else span.ends_on
        allowed = await grant(session, reader, class_id, day, details={"report": "by_marks"})
        limit = _intersect(subject_ids, allowed.subject_ids)
        if subjects_by_class is not None:
            limit = _intersect(limit, subjects_by_class.get(class_id, frozenset()))
        pupils = [p.id for p in allowed.pupils]
        for found in await load_results(session, pupils, span, rules, limit):
            names[found.subject_id] = found.subject
            sources.setdefault(found.subject_id, set()).add(found.source.value)
            pooled.setdefault(found.subject_id, []).extend(found.results.values())
    rows = tuple(
        figures(sid, names[sid], _source(sources[sid]), pooled[sid], rules)
        for sid in sorted(names, key=lambda s: (collation_key(names[s]), s))
    )
    every = set().union(*sources.values()) if sources else set()
    return MarksReport(
        tuple(sorted(infos)),
        period,
        report_day,
        rules,
        rules.n_rule,
        rules.sou_rule,
        _source(every) if every else "none",
        rows,
    )


def _source(found: set[str]) -> str:
    return next(iter(found)) if len(found) == 1 else "mixed"


def _intersect(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    if a is None:
        return b
    return a if b is None else a & b


async def parallel_classes(session: AsyncSession, academic_year_id: int, grade: int) -> list[int]:
    """The classes of a grade in a year (a parallel: all the 7th grades)."""
    rows = await session.scalars(
        select(SchoolClass.id).where(
            SchoolClass.academic_year_id == academic_year_id, SchoolClass.grade == grade
        )
    )
    return sorted(rows)


async def school_classes(session: AsyncSession, academic_year_id: int) -> list[int]:
    rows = await session.scalars(
        select(SchoolClass.id).where(SchoolClass.academic_year_id == academic_year_id)
    )
    return sorted(rows)


async def teacher_load(
    session: AsyncSession, staff_id: int, academic_year_id: int
) -> dict[int, frozenset[int]]:
    """A teacher's classes and the subjects taught in each: the teaching assignments and the
    timetable's slots of the year (a group's subject counts for its class)."""
    assigned = (
        select(TeachingAssignment.class_id, TeachingAssignment.subject_id)
        .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)
        .where(
            TeachingAssignment.staff_id == staff_id,
            SchoolClass.academic_year_id == academic_year_id,
        )
    )
    timetabled = (
        select(TimetableEntry.class_id, TimetableEntry.subject_id)
        .join(SchoolClass, SchoolClass.id == TimetableEntry.class_id)
        .where(
            TimetableEntry.teacher_id == staff_id,
            SchoolClass.academic_year_id == academic_year_id,
        )
    )
    load: dict[int, set[int]] = {}
    for class_id, subject_id in await session.execute(union(assigned, timetabled)):
        load.setdefault(class_id, set()).add(subject_id)
    return {c: frozenset(s) for c, s in load.items()}
