"""Cell values as schools write them, and the canonical form an export writes back."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from core.exchange.spec import Kind
from core.exchange.values import BadValue, format_cell, parse
from core.models import AttendanceCode, ChangeKind, Role, TermKind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28", date(2026, 11, 28)),
        ("28.11.2026", date(2026, 11, 28)),
        ("1.9.2026", date(2026, 9, 1)),
        ("28.11.26", date(2026, 11, 28)),
        ("28/11/2026", date(2026, 11, 28)),
        ("2026-11-28 00:00:00", date(2026, 11, 28)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse(Kind.DATE, text) == expected


@pytest.mark.parametrize("text", ["31.02.2025", "2025-13-01", "завтра", "28.11", "00.00.0000"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse(Kind.DATE, text)


@pytest.mark.parametrize(
    "text", ["8 (912) 345-67-89", "+7 912 3456789", "89123456789", "9123456789", "8-912-345-67-89"]
)
def test_russian_phones_become_e164(text: str) -> None:
    assert parse(Kind.PHONE, text) == "+79123456789"


@pytest.mark.parametrize("text", ["12345", "телефон", "+7 000"])
def test_bad_phones_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse(Kind.PHONE, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7А", "7А"), ("7A", "7А"), ("7 а", "7А"), ("10B", "10В"), ("5C", "5С"), ("11-Б", "11Б")],
)
def test_class_names_normalise_latin_look_alikes(text: str, expected: str) -> None:
    assert parse(Kind.CLASS_NAME, text) == expected


@pytest.mark.parametrize("text", ["12А", "0Б", "А7", "7"])
def test_bad_class_names(text: str) -> None:
    with pytest.raises(BadValue):
        parse(Kind.CLASS_NAME, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", ("5", 5)),
        ("1", ("1", 1)),
        ("4.0", ("4", 4)),
        ("зачтено", ("зач", None)),
        ("Н/А", ("н/а", None)),
        ("осв", ("осв", None)),
        ("не зачтено", ("незач", None)),
    ],
)
def test_marks(text: str, expected: tuple[str, int | None]) -> None:
    assert parse(Kind.MARK, text) == expected


@pytest.mark.parametrize("text", ["6", "0", "-1", "отлично", "4+"])
def test_marks_outside_the_scale(text: str) -> None:
    with pytest.raises(BadValue):
        parse(Kind.MARK, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Н", AttendanceCode.ABSENT),
        ("н", AttendanceCode.ABSENT),
        ("H", AttendanceCode.ABSENT),
        ("Б", AttendanceCode.ILL),
        ("У", AttendanceCode.EXCUSED),
        ("П", AttendanceCode.EXCUSED),
        ("ОП", AttendanceCode.LATE),
        ("late", AttendanceCode.LATE),
    ],
)
def test_attendance_codes(text: str, expected: AttendanceCode) -> None:
    assert parse(Kind.ATTENDANCE_CODE, text) == expected


def test_unknown_attendance_code_names_the_allowed_ones() -> None:
    with pytest.raises(BadValue) as caught:
        parse(Kind.ATTENDANCE_CODE, "X")
    assert caught.value.params == {"value": "X"}
    assert "ОП" in caught.value.message


def test_roles_in_russian_and_english() -> None:
    assert parse(Kind.ROLES, "учитель; завуч") == {Role.TEACHER, Role.HEAD_TEACHER}
    assert parse(Kind.ROLES, "psychologist,social_pedagogue") == {
        Role.PSYCHOLOGIST,
        Role.SOCIAL_PEDAGOGUE,
    }
    with pytest.raises(BadValue):
        parse(Kind.ROLES, "student")  # not a staff role


def test_other_vocabularies() -> None:
    assert parse(Kind.WEEKDAY, "Пн") == 1
    assert parse(Kind.WEEKDAY, "5") == 5
    assert parse(Kind.TERM_KIND, "Полугодие") == TermKind.HALF
    assert parse(Kind.CHANGE_KIND, "замена") == ChangeKind.SUBSTITUTION
    assert parse(Kind.TIME, "8.30") == time(8, 30)
    assert parse(Kind.DECIMAL, "1,5") == Decimal("1.5")
    assert parse(Kind.BOOL, "да") is True
    assert parse(Kind.BOOL, "0") is False


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Kind.DATE, "28.11.2026"),
        (Kind.TIME, "8:05"),
        (Kind.PHONE, "8 (912) 345-67-89"),
        (Kind.MARK, "зачет"),
        (Kind.ATTENDANCE_CODE, "п"),
        (Kind.DECIMAL, "2,0"),
        (Kind.ROLES, "завуч;учитель"),
        (Kind.BOOL, "да"),
        (Kind.CLASS_NAME, "7a"),
    ],
)
def test_canonical_form_reads_back_to_the_same_value(kind: Kind, text: str) -> None:
    value = parse(kind, text)
    canonical = format_cell(kind, value)
    assert parse(kind, canonical) == value
    assert format_cell(kind, parse(kind, canonical)) == canonical
