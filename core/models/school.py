"""The school, its calendar (years, terms, holidays, bells), subjects and work types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Index,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, IdMixin, SchoolFedMixin, fk, str_enum, utcnow
from core.models.enums import TermKind


class School(IdMixin, Base):
    __tablename__ = "schools"

    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    short_name: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Yekaterinburg")
    days_per_week: Mapped[int] = mapped_column(SmallInteger, default=5)
    # Suggested term mark thresholds (configurable: some regions use 4.65 / 3.65 / 2.65).
    threshold_5: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("4.50"))
    threshold_4: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("3.50"))
    threshold_3: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("2.50"))
    # СОУ puts weight 7 on the mark 1 by default; some systems put it on "н/а" instead.
    sou_weight_7_on_not_attested: Mapped[bool] = mapped_column(default=False)
    # Who counts in a report's N beside the pupils with a numeric result (docs/reports.md):
    # н/а pupils by default, exempt (осв) pupils not.
    n_counts_not_attested: Mapped[bool] = mapped_column(default=True, server_default=true())
    n_counts_exempt: Mapped[bool] = mapped_column(default=False, server_default=false())
    # /progress shows the class's average per subject as a faint line only where the school
    # allows it.
    progress_class_average: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Early warning (core.analytics.risk): a fall of the average by this much in three weeks,
    # absences above this percent of the subject's lessons, fewer marks than this near the end.
    risk_average_fall: Mapped[Decimal] = mapped_column(
        Numeric(3, 2), default=Decimal("0.50"), server_default="0.50"
    )
    risk_absence_percent: Mapped[int] = mapped_column(SmallInteger, default=30, server_default="30")
    risk_min_marks: Mapped[int] = mapped_column(SmallInteger, default=3, server_default="3")
    # How many days back a teacher may still write a lesson from the chat (§19–20: the journal is
    # filled in on the day; later corrections are the administration's).
    edit_days: Mapped[int] = mapped_column(SmallInteger, default=7, server_default="7")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("days_per_week IN (5, 6)", name="days_per_week"),
        CheckConstraint("edit_days BETWEEN 0 AND 366", name="edit_days"),
        CheckConstraint("risk_average_fall BETWEEN 0.10 AND 2.00", name="risk_average_fall"),
        CheckConstraint("risk_absence_percent BETWEEN 1 AND 100", name="risk_absence_percent"),
        CheckConstraint("risk_min_marks BETWEEN 1 AND 10", name="risk_min_marks"),
    )


class AcademicYear(SchoolFedMixin, Base):
    __tablename__ = "academic_years"

    name: Mapped[str] = mapped_column(String(32))  # "2026/2027"
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        UniqueConstraint("school_id", "name"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
    )


class Term(SchoolFedMixin, Base):
    """An academic period: quarters for some grades, halves (or trimesters) for others."""

    __tablename__ = "terms"

    academic_year_id: Mapped[int] = fk("academic_years.id")
    kind: Mapped[TermKind] = mapped_column(str_enum(TermKind, "term_kind"))
    number: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        UniqueConstraint("academic_year_id", "kind", "number"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
    )


class Holiday(SchoolFedMixin, Base):
    """Каникулы and days off; a grade range limits it (the extra week for grade 1)."""

    __tablename__ = "holidays"

    name: Mapped[str] = mapped_column(String(128))
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date]
    grade_from: Mapped[int | None] = mapped_column(SmallInteger)
    grade_to: Mapped[int | None] = mapped_column(SmallInteger)

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
    )


class Bell(SchoolFedMixin, Base):
    """One period of a bell schedule (расписание звонков): a shift's, or of some grades, weekdays
    or dates of it. Which row rings for a class on a day: :mod:`core.services.bells`.

    ``grades`` and ``weekdays`` are sets of numbers written as sorted ranges (`6,8`, `9-11`;
    weekdays 1 = Monday: `1`, `2-5`), empty for all (see :func:`number_set`); a plain row of the
    shift has neither and no dates. The unique constraint and the index below forbid two rows
    for the same shift, period, grades, weekdays and first day (with or without one).
    """

    __tablename__ = "bells"

    shift: Mapped[int] = mapped_column(SmallInteger)
    period: Mapped[int] = mapped_column(SmallInteger)
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    grades: Mapped[str] = mapped_column(String(32), default="")
    weekdays: Mapped[str] = mapped_column(String(16), default="")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        UniqueConstraint("school_id", "shift", "period", "grades", "weekdays", "valid_from"),
        # NULLs are distinct in a unique constraint: the rows without a first day get their own.
        Index(
            None,
            "school_id",
            "shift",
            "period",
            "grades",
            "weekdays",
            unique=True,
            sqlite_where=text("valid_from IS NULL"),
            postgresql_where=text("valid_from IS NULL"),
        ),
        CheckConstraint("starts_at < ends_at", name="times"),
        CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to", name="validity"
        ),
    )


def number_set(text: str) -> frozenset[int]:
    """The numbers of a stored set: `6,8` → {6, 8}, `9-11` → {9, 10, 11}, `` → {}."""
    numbers: set[int] = set()
    for part in text.split(","):
        if part.strip():
            low, _, high = part.partition("-")
            numbers.update(range(int(low), int(high or low) + 1))
    return frozenset(numbers)


def number_ranges(numbers: Iterable[int]) -> str:
    """The stored form of a set: sorted, three or more in a row as a range (`1,3-5`)."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{ordered[start]}-{ordered[end]}")
        else:
            parts.extend(str(n) for n in ordered[start : end + 1])
        start = end + 1
    return ",".join(parts)


class Subject(SchoolFedMixin, Base):
    __tablename__ = "subjects"

    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("school_id", "external_id"),)


class WorkType(SchoolFedMixin, Base):
    """Вид работы with its weight in the average (control works 2, the rest 1 by default)."""

    __tablename__ = "work_types"

    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str | None] = mapped_column(String(32))
    weight: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1"))
    is_control: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )
