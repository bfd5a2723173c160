"""The bells a class hears on a date (not personal data: no audit).

A school rings its bells per shift, and may ring some grades, some weekdays or some dates
differently (a Moscow school rings grades 5 and 7 from 08:15, 6 and 8 from 08:30, 9–11 from
08:45; Monday starts with «Разговоры о важном»; first-graders have their own bells from
September to December). Each bells row (:class:`core.models.Bell`) rings one period of a shift
and may name grades, weekdays and a first and a last day. For each period of the class's shift,
among the rows that **fit** (the class's grade is among the row's grades or it names none, the
date's weekday among its weekdays or it names none, the date within its days), the **most
specific** one rings, compared in this order:

1. a row naming grades beats one naming none;
2. then a row naming weekdays beats one naming none;
3. then a row with a first or a last day beats one with neither;
4. then fewer grades beat more (`5` beats `5-9`);
5. then fewer weekdays beat more (`пн` beats `пн-пт`);
6. then the later first day (none counts as the earliest): the newer range wins;
7. then the earlier last day (none counts as the latest): the narrower range wins;
8. then the row whose id (the school's, as the export writes and sorts it) comes first.

A period no row fits has no time: a plain row of the shift (no grades, weekdays or days) fits
every class and day, so a school with only plain rows rings as it always did.

:func:`class_bells` answers for one class, :func:`bells_for_classes` for many at once (one query
per school over ``bells(school_id, shift, ...)``, then the pick in Python).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from core.models.school import number_set
from core.services.class_data import ClassInfo, load_class
from core.services.timetable_data import BellRow, load_bells


@dataclass(frozen=True, slots=True)
class BellTime:
    period: int
    starts_at: time
    ends_at: time


@dataclass(frozen=True, slots=True)
class ClassBells:
    """The periods of a class on ``day``, in order of the period number."""

    class_name: str
    shift: int
    periods: tuple[BellTime, ...]
    day: date
    # Some row naming weekdays or days fits the class's grade: other days may ring otherwise.
    by_day: bool = False

    def at(self, period: int) -> BellTime | None:
        return next((bell for bell in self.periods if bell.period == period), None)


@lru_cache(maxsize=256)
def _numbers(stored: str) -> frozenset[int]:
    return number_set(stored)


def _fits(row: BellRow, grade: int, day: date) -> bool:
    return (
        (not row.grades or grade in _numbers(row.grades))
        and (not row.weekdays or day.isoweekday() in _numbers(row.weekdays))
        and (row.valid_from is None or row.valid_from <= day)
        and (row.valid_to is None or day <= row.valid_to)
    )


def _precedence(row: BellRow) -> tuple[bool, bool, bool, int, int, int, int, str, int]:
    """Smaller is more specific (see the module's rule)."""
    return (
        not row.grades,
        not row.weekdays,
        row.valid_from is None and row.valid_to is None,
        len(_numbers(row.grades)),
        len(_numbers(row.weekdays)),
        -(row.valid_from.toordinal() if row.valid_from else 0),
        row.valid_to.toordinal() if row.valid_to else date.max.toordinal() + 1,
        row.key,
        row.id,
    )


def ring(rows: Iterable[BellRow], shift: int, grade: int, day: date) -> tuple[BellTime, ...]:
    """The periods a class of ``grade`` in ``shift`` hears on ``day``, from the school's rows."""
    best: dict[int, BellRow] = {}
    for row in rows:
        if row.shift != shift or not _fits(row, grade, day):
            continue
        current = best.get(row.period)
        if current is None or _precedence(row) < _precedence(current):
            best[row.period] = row
    return tuple(
        BellTime(period, row.starts_at, row.ends_at) for period, row in sorted(best.items())
    )


def _by_day(rows: Iterable[BellRow], shift: int, grade: int) -> bool:
    return any(
        row.shift == shift
        and (not row.grades or grade in _numbers(row.grades))
        and (row.weekdays or row.valid_from is not None or row.valid_to is not None)
        for row in rows
    )


async def bells_for_classes(
    session: AsyncSession, classes: Mapping[int, ClassInfo], day: date
) -> dict[int, ClassBells]:
    """Each class's bells on ``day``: one query per school (in practice one) however many."""
    shifts: dict[int, set[int]] = defaultdict(set)
    for info in classes.values():
        shifts[info.school_id].add(info.shift)
    rows = {school: await load_bells(session, school, wanted) for school, wanted in shifts.items()}
    return {
        class_id: ClassBells(
            info.name,
            info.shift,
            ring(rows[info.school_id], info.shift, info.grade, day),
            day,
            _by_day(rows[info.school_id], info.shift, info.grade),
        )
        for class_id, info in classes.items()
    }


async def class_bells(session: AsyncSession, class_id: int, day: date) -> ClassBells:
    """The bells the class hears on ``day`` (``ClassBells.periods``: its periods in order)."""
    info = await load_class(session, class_id)
    return (await bells_for_classes(session, {class_id: info}, day))[class_id]
