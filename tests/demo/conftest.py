"""The demo school around a Monday of the second quarter, generated once for the module tests."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import pytest

from core.demo import generate
from core.demo.calendar import bells

School = dict[str, list[dict[str, str]]]
TODAY = date(2026, 11, 30)  # a Monday in the second quarter; tomorrow is a school day too


@pytest.fixture(scope="session")
def school() -> School:
    return generate(seed=1, today=TODAY)


def grades(school: School) -> dict[str, int]:
    """Class id → grade, read from the class's name as the importer does."""
    result = {}
    for klass in school["classes"]:
        match = re.fullmatch(r"(\d{1,2})([А-ЯЁ]{1,2})", klass["name"])
        assert match, klass["name"]
        result[klass["id"]] = int(match.group(1))
    return result


def class_of(school: School) -> dict[str, str]:
    return {s["id"]: s["class"] for s in school["students"]}


def minutes(school: School, class_id: str, period: str) -> tuple[int, int]:
    """A period's start and end, in minutes from midnight, by the class's shift."""
    shift = next(int(c["shift"]) for c in school["classes"] if c["id"] == class_id)
    start, end = bells()[(shift, int(period))]
    return start.hour * 60 + start.minute, end.hour * 60 + end.minute


def clashes(entries: Iterable[tuple[str, str, int, int, str]]) -> list[tuple[object, ...]]:
    """Pairs of (who, day, start, end, what) that overlap in time with a different ``what``."""
    by_who: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for who, day, start, end, what in entries:
        by_who[(who, day)].append((start, end, what))
    found: list[tuple[object, ...]] = []
    for key, items in by_who.items():
        items.sort()
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second[0] >= first[1]:
                    break
                if first[2] != second[2]:
                    found.append((key, first, second))
    return found


def spans(school: School) -> dict[tuple[str, str], tuple[int, int]]:
    """(class, period) → minutes, for every class and period of the bells."""
    shift = {c["id"]: int(c["shift"]) for c in school["classes"]}
    result = {}
    for (bell_shift, period), (start, end) in bells().items():
        for class_id, class_shift in shift.items():
            if class_shift == bell_shift:
                result[(class_id, str(period))] = (
                    start.hour * 60 + start.minute,
                    end.hour * 60 + end.minute,
                )
    return result
