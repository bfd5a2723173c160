""" "What do I need": the marks that would lift a subject's term mark, or an average with more.

Built on the diary (the term's marks, audited there as ``read_diary``), the school's thresholds
and the weights of its work types; the arithmetic is :mod:`core.grading`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import average_with, marks_needed, suggested_mark, weighted_average
from core.models import WorkType
from core.reader import Reader
from core.services.diary import diary
from core.services.school_data import load_history

# How far back the diary is asked: the averages cover the term containing ``on`` anyway.
_LOOKBACK = timedelta(days=190)


@dataclass(frozen=True, slots=True)
class WhatIf:
    subject_id: int
    subject: str | None  # None: no marks in the subject this term
    average: Decimal | None
    suggested_mark: int | None
    needed: dict[int, tuple[tuple[int, Decimal], ...] | None]  # target → marks, None: out of reach
    hypothetical_average: Decimal | None
    hypothetical_mark: int | None


async def what_if(
    session: AsyncSession,
    student_id: int,
    subject_id: int,
    on: date,
    reader: Reader,
    *,
    hypothetical: tuple[int, ...] = (),
    targets: tuple[int, ...] = (5, 4),
) -> WhatIf:
    found = await diary(session, student_id, on - _LOOKBACK, on, reader, subject_id=subject_id)
    history = await load_history(session, student_id)
    weights = tuple(
        (
            await session.execute(
                select(WorkType.weight).where(WorkType.school_id == history.school_id).distinct()
            )
        ).scalars()
    ) or (Decimal(1),)
    subject = found.subjects[0] if found.subjects else None
    term = found.term
    existing = [
        (m.numeric_value, m.weight)
        for m in (subject.marks if subject else ())
        if term is None or term.contains(m.date)
        if m.date <= on
    ]
    needed = {
        target: _as_tuple(marks_needed(existing, target, history.thresholds, weights))
        for target in targets
    }
    extra_average = (
        average_with(existing, [(value, Decimal(1)) for value in hypothetical])
        if hypothetical
        else None
    )
    # The average as of ``on``: marks dated later (entered ahead) do not count yet.
    current = weighted_average(existing)
    return WhatIf(
        subject_id=subject_id,
        subject=subject.subject if subject else None,
        average=current,
        suggested_mark=suggested_mark(current, history.thresholds),
        needed=needed,
        hypothetical_average=extra_average,
        hypothetical_mark=suggested_mark(extra_average, history.thresholds),
    )


def _as_tuple(
    marks: list[tuple[int, Decimal]] | None,
) -> tuple[tuple[int, Decimal], ...] | None:
    return tuple(marks) if marks is not None else None
