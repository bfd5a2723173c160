"""What a teacher types: the roll-call shortcut and marks in one message."""

from __future__ import annotations

import pytest

from core.models.enums import AttendanceCode
from core.teaching.marks import MarksInputError, NewMark, Problem, parse_marks
from core.teaching.rollcall import ShortcutError, parse_shortcut


def test_the_roll_call_shortcut_names_codes_then_numbers() -> None:
    assert parse_shortcut("н 3 17 24", 30) == {
        3: AttendanceCode.ABSENT,
        17: AttendanceCode.ABSENT,
        24: AttendanceCode.ABSENT,
    }
    assert parse_shortcut("оп 5", 30) == {5: AttendanceCode.LATE}
    assert parse_shortcut("Н 3, 4 ОП 5 + 6", 30) == {
        3: AttendanceCode.ABSENT,
        4: AttendanceCode.ABSENT,
        5: AttendanceCode.LATE,
        6: None,
    }


@pytest.mark.parametrize(("text", "token"), [("н 31", "31"), ("3 4", "3"), ("н x", "x"), ("", "")])
def test_a_bad_shortcut_names_what_is_wrong(text: str, token: str) -> None:
    with pytest.raises(ShortcutError) as refused:
        parse_shortcut(text, 30)
    assert refused.value.token == token


def test_marks_in_class_list_order_skip_dashes_and_absentees() -> None:
    assert parse_marks("5 4 - 3 5 н 4", 30) == (
        NewMark(1, "5", 5),
        NewMark(2, "4", 4),
        NewMark(4, "3", 3),
        NewMark(5, "5", 5),
        NewMark(7, "4", 4),
    )


def test_marks_by_numbers_need_commas_or_a_number_that_is_no_mark() -> None:
    assert parse_marks("3 5, 7 4, 12 н/а", 30) == (
        NewMark(3, "5", 5),
        NewMark(7, "4", 4),
        NewMark(12, "н/а", None),
    )
    assert parse_marks("12 зачтено", 30) == (NewMark(12, "зач", None),)


@pytest.mark.parametrize(
    ("text", "problem", "token"),
    [
        ("3 6", Problem.NOT_A_MARK, "6"),  # no mark 6
        ("3 6 4 5", Problem.NOT_A_MARK, "6"),
        ("99 5", Problem.NO_SUCH_PUPIL, "99"),  # no pupil 99
        ("3 5 5", Problem.AMBIGUOUS, "3 5 5"),  # pupil 3 or pupils 1–3?
        ("3 5", Problem.AMBIGUOUS, "3 5"),
        ("5 " * 31, Problem.TOO_LONG, "31"),  # longer than the class
        ("5 4 x 3", Problem.NOT_A_MARK, "x"),  # letters that are not a mark
        ("3 5 5, 7 4", Problem.AMBIGUOUS, "3 5 5"),
        ("- - -  -", Problem.EMPTY, ""),
    ],
)
def test_bad_marks_are_refused_with_the_problem_named(
    text: str, problem: Problem, token: str
) -> None:
    with pytest.raises(MarksInputError) as refused:
        parse_marks(text, 30)
    assert refused.value.problem == problem
    assert refused.value.token == token
