"""A report period: a term (by number in the class's academic year), the year, or a date range.

A term number means the class's own kind of term (quarters for one class, halves for another),
so a period is resolved per class into a :class:`Span`. "The term running on a day"
(:meth:`ReportPeriod.current`) is resolved per class too: over a school that has quarters for
its younger classes and halves for its seniors, the 2nd quarter and the 1st half are both
"this term" in December, while one term number would be right for only one of them. A term
or the year may have attestation marks (term marks, year marks); a date range never has, so it
is always computed on averages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Term
from core.services.class_data import ClassInfo


class PeriodKind(StrEnum):
    TERM = "term"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    """What the report is asked for; build with :meth:`term`, :meth:`current`, :meth:`year` or
    :meth:`range`."""

    kind: PeriodKind
    term_number: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    running_on: date | None = None  # a term by day: each class's term running then

    @classmethod
    def current(cls, day: date) -> ReportPeriod:
        """Each class's term running on ``day`` (in the holidays: the last begun; before the
        first term: the first)."""
        return cls(PeriodKind.TERM, running_on=day)

    @classmethod
    def term(cls, number: int) -> ReportPeriod:
        if number < 1:
            raise ValueError(f"a term number starts at 1, got {number}")
        return cls(PeriodKind.TERM, term_number=number)

    @classmethod
    def year(cls) -> ReportPeriod:
        return cls(PeriodKind.YEAR)

    @classmethod
    def range(cls, starts_on: date, ends_on: date) -> ReportPeriod:
        if starts_on > ends_on:
            raise ValueError(f"{starts_on} is after {ends_on}")
        return cls(PeriodKind.RANGE, starts_on=starts_on, ends_on=ends_on)


@dataclass(frozen=True, slots=True)
class Span:
    """A period resolved for one class: its dates, its year, and its term when it is a term."""

    kind: PeriodKind
    academic_year_id: int
    starts_on: date
    ends_on: date
    term_id: int | None = None
    name: str = ""


class PeriodNotFoundError(LookupError):
    """The class's academic year has no such term."""


async def resolve(session: AsyncSession, period: ReportPeriod, info: ClassInfo) -> Span:
    """The period's dates for the class (one statement for a term, none otherwise)."""
    year = info.academic_year_id
    if period.kind == PeriodKind.YEAR:
        return Span(period.kind, year, info.year_starts_on, info.year_ends_on)
    if period.kind == PeriodKind.RANGE:
        if period.starts_on is None or period.ends_on is None:
            raise ValueError("a date range needs both dates")
        return Span(period.kind, year, period.starts_on, period.ends_on)
    of_class = select(Term).where(Term.academic_year_id == year, Term.kind == info.term_kind)
    if period.running_on is not None:
        term = await _running(session, of_class, period.running_on)
    else:
        term = await session.scalar(of_class.where(Term.number == period.term_number))
    if term is None:
        wanted = f"term {period.term_number or period.running_on} ({info.term_kind})"
        raise PeriodNotFoundError(f"{wanted} of class {info.id}")
    return Span(period.kind, year, term.starts_on, term.ends_on, term.id, term.name)


async def _running(session: AsyncSession, terms: Select[Term], day: date) -> Term | None:
    """The last of ``terms`` begun by ``day``, else the first of them."""
    begun = await session.scalar(
        terms.where(Term.starts_on <= day).order_by(Term.starts_on.desc()).limit(1)
    )
    return begun or await session.scalar(terms.order_by(Term.starts_on).limit(1))
