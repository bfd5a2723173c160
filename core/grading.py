"""Marks arithmetic: weighted averages, the suggested term mark, what it takes to reach a mark.

Pure functions, no database. Everything is :class:`~decimal.Decimal`: a float average of
4.5 may be 4.4999999 and lose a pupil their five.

* The weighted average is sum(value × weight) / sum(weight) over the numeric marks only;
  ``зач``, ``незач``, ``н/а`` and ``осв`` never enter it (a mark is given as ``(value, weight)``
  where a non-numeric value is ``None`` or its text).
* The average is rounded half-up to two places (:data:`AVERAGE_PLACES`) - what a diary shows -
  and that shown value is compared with the school's thresholds, so a diary can never show
  "4.50" beside a suggested 4.
* A value at or above a threshold earns that mark (4.50 → 5 with the default thresholds,
  4.65 → 5 with "in the pupil's favour" 4.65 / 3.65 / 2.65); below the lowest threshold → 2.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

AVERAGE_PLACES = 2
NON_NUMERIC_MARKS = frozenset({"зач", "незач", "н/а", "осв"})
# Unsatisfactory results besides the numbers 1 and 2 (a debt to make good).
UNSATISFACTORY_TEXT = frozenset({"незач", "н/а"})

MarkValue = int | str | None
WeightedMark = tuple[MarkValue, Decimal | int]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The lowest averages that earn a 5, a 4 and a 3 (School.threshold_5/4/3)."""

    five: Decimal = Decimal("4.50")
    four: Decimal = Decimal("3.50")
    three: Decimal = Decimal("2.50")

    def __post_init__(self) -> None:
        if not Decimal(1) < self.three <= self.four <= self.five <= Decimal(5):
            raise ValueError(f"thresholds must rise within 1..5: {self}")


DEFAULT_THRESHOLDS = Thresholds()


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """School rounding: 4.5 → 5 and 2.345 → 2.35 (Python's ``round`` would give 4 and 2.34)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def numeric_value(value: MarkValue) -> int | None:
    """1–5 for a numeric mark (int or text such as ``"4"``), ``None`` for anything else."""
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= 5 else None


def is_unsatisfactory(value: str, numeric: int | None = None) -> bool:
    """A 1 or 2, ``незач`` or ``н/а``: the result leaves a debt."""
    number = numeric if numeric is not None else numeric_value(value)
    if number is not None:
        return number <= 2
    return value.strip().casefold() in UNSATISFACTORY_TEXT


def _totals(marks: Iterable[WeightedMark]) -> tuple[Decimal, Decimal]:
    """sum(value × weight) and sum(weight) over the numeric marks."""
    total = Decimal(0)
    weights = Decimal(0)
    for value, weight in marks:
        number = numeric_value(value)
        if number is None:
            continue
        if weight <= 0:
            raise ValueError(f"a weight must be positive, got {weight}")
        total += number * Decimal(weight)
        weights += Decimal(weight)
    return total, weights


def weighted_average(marks: Iterable[WeightedMark]) -> Decimal | None:
    """The weighted average rounded half-up to two places; ``None`` without numeric marks."""
    total, weights = _totals(marks)
    if not weights:
        return None
    return round_half_up(total / weights, AVERAGE_PLACES)


def suggested_mark(
    average: Decimal | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> int | None:
    """The term mark an average suggests: ≥ five → 5, ≥ four → 4, ≥ three → 3, else 2."""
    if average is None:
        return None
    if average >= thresholds.five:
        return 5
    if average >= thresholds.four:
        return 4
    if average >= thresholds.three:
        return 3
    return 2


def average_with(
    existing: Iterable[WeightedMark], hypothetical: Iterable[WeightedMark]
) -> Decimal | None:
    """The average if the hypothetical marks were added ("what if I get a 5 for the test")."""
    return weighted_average(itertools.chain(existing, hypothetical))


def marks_needed(
    existing: Sequence[WeightedMark],
    target_mark: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    weights_available: Iterable[Decimal | int] = (Decimal(1),),
    *,
    limit: int = 20,
) -> list[tuple[int, Decimal]] | None:
    """The fewest further marks (5s or ``target_mark``s) that lift the suggested mark to target.

    Marks are ``(value, weight)`` with the weights of the school's work types. Among the
    shortest lists the one with the fewest 5s wins, then the one with the lightest work types
    (an answer in class is easier to get than a test). ``[]`` when the target is already
    reached; ``None`` when even ``limit`` fives of the heaviest kind would not do.
    """
    if target_mark not in (2, 3, 4, 5):
        raise ValueError(f"target mark must be 2..5, got {target_mark}")
    weights = sorted({Decimal(w) for w in weights_available} or {Decimal(1)})
    if weights[0] <= 0:
        raise ValueError("weights must be positive")
    base_total, base_weight = _totals(existing)

    def reaches(extra: Iterable[tuple[int, Decimal]]) -> bool:
        total, weight = base_total, base_weight
        for value, mark_weight in extra:
            total += value * mark_weight
            weight += mark_weight
        if not weight:
            return False
        average = round_half_up(total / weight, AVERAGE_PLACES)
        return (suggested_mark(average, thresholds) or 0) >= target_mark

    if reaches(()):
        return []
    # Fives of the heaviest work type pull the average up fastest, so they decide the length.
    heaviest = weights[-1]
    count = next((n for n in range(1, limit + 1) if reaches([(5, heaviest)] * n)), None)
    if count is None:
        return None
    kinds = [(value, weight) for value in sorted({target_mark, 5}) for weight in weights]
    candidates = (
        list(combo)
        for combo in itertools.combinations_with_replacement(kinds, count)
        if reaches(combo)
    )
    return min(candidates, key=lambda c: (sum(v == 5 for v, _ in c), sum(w for _, w in c)))
