"""core.grading: weighted averages, school rounding, the suggested mark and marks needed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.grading import (
    Thresholds,
    WeightedMark,
    average_with,
    is_unsatisfactory,
    marks_needed,
    numeric_value,
    round_half_up,
    suggested_mark,
    weighted_average,
)

REGIONAL = Thresholds(Decimal("4.65"), Decimal("3.65"), Decimal("2.65"))


def test_weighted_average_weighs_by_work_type() -> None:
    # (5·2 + 3·1) / 3 = 13/3 = 4.333… → 4.33
    assert weighted_average([(5, Decimal(2)), (3, Decimal(1))]) == Decimal("4.33")
    # (5 + 4) / 2 = 4.5
    assert weighted_average([(5, 1), (4, 1)]) == Decimal("4.50")
    # (4·1 + 5·1.5) / 2.5 = 11.5 / 2.5 = 4.6
    assert weighted_average([(4, Decimal(1)), (5, Decimal("1.5"))]) == Decimal("4.60")


def test_non_numeric_marks_never_enter_the_average() -> None:
    marks: list[WeightedMark] = [
        (5, Decimal(1)),
        ("зач", Decimal(1)),
        ("незач", Decimal(2)),
        ("н/а", Decimal(2)),
        ("осв", Decimal(1)),
        (None, 1),
    ]
    assert weighted_average(marks) == Decimal("5.00")
    assert weighted_average([("зач", Decimal(1)), ("н/а", Decimal(1))]) is None
    assert weighted_average([]) is None
    assert weighted_average([("4", Decimal(1)), ("2", Decimal(1))]) == Decimal(
        "3.00"
    )  # numeric text counts


def test_school_rounding_is_half_up_not_half_to_even() -> None:
    assert round(4.5) == 4  # what Python would do
    assert round_half_up(Decimal("4.5")) == 5
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("3.49")) == 3
    assert round_half_up(Decimal("2.345"), 2) == Decimal("2.35")
    assert round_half_up(Decimal("2.344"), 2) == Decimal("2.34")


@pytest.mark.parametrize(
    ("average", "expected"),
    [
        ("5", 5),
        ("4.5", 5),
        ("4.50", 5),
        ("4.49", 4),
        ("3.50", 4),
        ("3.49", 3),
        ("2.5", 3),
        ("2.49", 2),
        ("1", 2),
    ],
)
def test_suggested_mark_at_the_default_thresholds(average: str, expected: int) -> None:
    assert suggested_mark(Decimal(average)) == expected


@pytest.mark.parametrize(
    ("average", "expected"),
    [("4.65", 5), ("4.64", 4), ("4.5", 4), ("3.65", 4), ("3.6", 3), ("2.65", 3), ("2.6", 2)],
)
def test_suggested_mark_with_regional_thresholds(average: str, expected: int) -> None:
    assert suggested_mark(Decimal(average), REGIONAL) == expected


def test_no_average_suggests_nothing() -> None:
    assert suggested_mark(None) is None


def test_the_shown_average_and_the_suggestion_agree() -> None:
    # (5·0.99 + 4·1.01) / 2 = 4.495 exactly: shown as 4.50, so it suggests 5, not 4.
    average = weighted_average([(5, Decimal("0.99")), (4, Decimal("1.01"))])
    assert average == Decimal("4.50")
    assert suggested_mark(average) == 5
    # (4·49 + 3·51) / 100 = 3.49 → 3
    assert suggested_mark(weighted_average([(4, 49), (3, 51)])) == 3


def test_thresholds_must_rise() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(Decimal("2.5"), Decimal("3.5"), Decimal("4.5"))


def test_marks_values_and_unsatisfactory_results() -> None:
    assert numeric_value("5") == 5
    assert numeric_value(" 3 ") == 3
    assert numeric_value("зач") is None
    assert numeric_value("7") is None
    assert [is_unsatisfactory(v) for v in ("1", "2", "3", "н/а", "Н/А", "незач", "зач", "осв")] == [
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        False,
    ]


def test_average_with_hypothetical_marks() -> None:
    # (4·1 + 5·2) / 3 = 14/3 = 4.666… → 4.67
    assert average_with([(4, Decimal(1))], [(5, Decimal(2))]) == Decimal("4.67")
    assert average_with([], [(3, Decimal(1))]) == Decimal("3.00")


def test_marks_needed_when_already_at_the_target() -> None:
    assert marks_needed([(5, Decimal(1)), (4, Decimal(1))], 5) == []  # 4.50 → 5 already
    assert marks_needed([(3, Decimal(1))], 3) == []


def test_marks_needed_exactly_two_fives() -> None:
    # 4, 4: one more 5 gives 13/3 = 4.33 (a 4), two give 18/4 = 4.50 (a 5).
    assert marks_needed([(4, Decimal(1)), (4, Decimal(1))], 5) == [(5, Decimal(1)), (5, Decimal(1))]


def test_marks_needed_prefers_one_heavier_work() -> None:
    # With control works weighing 2: (4 + 4 + 5·2) / 4 = 4.50 with a single mark.
    assert marks_needed(
        [(4, Decimal(1)), (4, Decimal(1))], 5, weights_available=[Decimal(1), Decimal(2)]
    ) == [(5, Decimal(2))]


def test_marks_needed_prefers_the_target_over_fives() -> None:
    # Four 3s; target 4. One 5: 17/5 = 3.4. Two marks: 4+4 → 20/6 = 3.33, 4+5 → 21/6 = 3.5.
    assert marks_needed([(3, Decimal(1))] * 4, 4) == [(4, Decimal(1)), (5, Decimal(1))]


def test_marks_needed_from_nothing() -> None:
    assert marks_needed([], 5) == [(5, Decimal(1))]
    assert marks_needed([("зач", Decimal(1))], 4) == [(4, Decimal(1))]


def test_marks_needed_impossible() -> None:
    # Thirty 2s: twenty more 5s give (60 + 100) / 50 = 3.2, far below 4.5.
    assert marks_needed([(2, Decimal(1))] * 30, 5) is None
    with pytest.raises(ValueError, match="target"):
        marks_needed([], 6)


def test_marks_needed_with_regional_thresholds() -> None:
    # 4, 4 with 4.65 needed: 5,5 → 4.50 is not enough; 5,5,5 → 23/5 = 4.60 no; four → 28/6 = 4.67
    assert marks_needed([(4, Decimal(1)), (4, Decimal(1))], 5, REGIONAL) == [(5, Decimal(1))] * 4


weights = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(3), places=1)
values = st.one_of(st.integers(min_value=1, max_value=5), st.sampled_from(["зач", "н/а", "осв"]))
averages = st.decimals(min_value=1, max_value=5, places=2)


@given(st.lists(st.tuples(values, weights), max_size=30))
def test_average_lies_between_the_lowest_and_the_highest_numeric_mark(
    marks: list[tuple[int | str, Decimal]],
) -> None:
    numbers = [v for v, _ in marks if isinstance(v, int)]
    average = weighted_average(marks)
    if not numbers:
        assert average is None
    else:
        assert average is not None
        assert min(numbers) <= average <= max(numbers)


@given(
    averages,
    averages,
    st.lists(st.decimals(min_value=Decimal("1.5"), max_value=5, places=2), min_size=3, max_size=3),
)
def test_suggested_mark_is_monotone_in_the_average(
    a: Decimal, b: Decimal, raw: list[Decimal]
) -> None:
    three, four, five = sorted(raw)
    thresholds = Thresholds(five, four, three)
    low, high = sorted((a, b))
    assert suggested_mark(low, thresholds) <= suggested_mark(high, thresholds)  # type: ignore[operator]


@settings(max_examples=40)
@given(
    st.lists(st.tuples(st.integers(min_value=1, max_value=5), st.just(Decimal(1))), max_size=8),
    st.integers(min_value=3, max_value=5),
)
def test_marks_needed_reaches_the_target_and_nothing_shorter_does(
    marks: list[tuple[int, Decimal]], target: int
) -> None:
    needed = marks_needed(marks, target, limit=10)
    if needed is None:
        assert (suggested_mark(average_with(marks, [(5, Decimal(1))] * 10)) or 0) < target
        return
    assert (suggested_mark(average_with(marks, needed)) or 0) >= target
    if needed:
        shorter = [(5, Decimal(1))] * (len(needed) - 1)
        assert (suggested_mark(average_with(marks, shorter)) or 0) < target
