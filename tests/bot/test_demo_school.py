"""The bot's answers for the demo school, checked against values computed here from its tables.

A guardian of several children links, and for each child the test works out on its own, from
the generated rows, the weighted term average of every subject (``/marks``) and the lessons and
homework of the next school day (``/tomorrow``).
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import FrozenClock
from core.db import create_sessionmaker
from core.demo import generate
from core.exchange import service
from handlers.callbacks import PickChild
from tests.bot.driver import ChatDriver, texts
from tests.bot.helpers import AGREE, invite, student_id

TODAY = date(2026, 11, 30)  # a Monday; tomorrow is a school day
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
WEEK_END = date(2026, 12, 6)
TOMORROW = "2026-12-01"

Rows = dict[str, list[dict[str, Any]]]


def expected_averages(tables: Rows, student: str) -> dict[str, str]:
    """Subject name → the weighted term average as the bot prints it (``4,33``)."""
    klass = next(s["class"] for s in tables["students"] if s["id"] == student)
    kind = next(c["term_kind"] for c in tables["classes"] if c["id"] == klass)
    term = next(
        t
        for t in tables["terms"]
        if t["kind"] == kind and t["start"] <= WEEK_END.isoformat() <= t["end"]
    )
    weights = {w["id"]: Decimal(w["weight"]) for w in tables["work_types"]}
    names = {s["id"]: s["name"] for s in tables["subjects"]}
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for mark in tables["marks"]:
        if mark["student"] != student or not term["start"] <= mark["date"] <= term["end"]:
            continue
        if not mark["value"].isdigit():
            continue
        weight = weights.get(mark.get("work_type") or "", Decimal(1))
        totals[mark["subject"]][0] += int(mark["value"]) * weight
        totals[mark["subject"]][1] += weight
    return {
        names[subject]: str((total / weight).quantize(Decimal("0.01"), ROUND_HALF_UP)).replace(
            ".", ","
        )
        for subject, (total, weight) in totals.items()
        if weight
    }


def expected_lessons(tables: Rows, student: str) -> set[tuple[str, str]]:
    """(period, subject name) of the student's dated lessons tomorrow, from the lessons table."""
    klass = next(s["class"] for s in tables["students"] if s["id"] == student)
    groups = {m["group"] for m in tables["group_members"] if m["student"] == student}
    names = {s["id"]: html.escape(s["name"], quote=False) for s in tables["subjects"]}
    return {
        (lesson["period"], names[lesson["subject"]])
        for lesson in tables["lessons"]
        if lesson["date"] == TOMORROW
        and lesson["class"] == klass
        and (not lesson.get("group") or lesson["group"] in groups)
    }


def expected_homework(tables: Rows, student: str) -> tuple[set[str], set[str]]:
    """(texts due tomorrow for the student, texts due tomorrow for classmates only)."""
    klass = next(s["class"] for s in tables["students"] if s["id"] == student)
    groups = {m["group"] for m in tables["group_members"] if m["student"] == student}
    mine: set[str] = set()
    others: set[str] = set()
    for row in tables["homework"]:
        if row["due"] != TOMORROW or row["class"] != klass:
            continue
        text = html.escape(row["text"], quote=False)
        if row.get("student"):
            (mine if row["student"] == student else others).add(text)
        elif not row.get("group") or row["group"] in groups:
            mine.add(text)
    # General homework also comes with the lesson it was set in.
    for lesson in tables["lessons"]:
        if lesson.get("homework_due") != TOMORROW or lesson["class"] != klass:
            continue
        if lesson.get("homework") and (not lesson.get("group") or lesson["group"] in groups):
            mine.add(html.escape(lesson["homework"], quote=False))
    return mine, others - mine


async def test_marks_and_tomorrows_homework_match_the_demo_tables(engine: AsyncEngine) -> None:
    tables = generate(seed=1, today=TODAY)
    sessions = create_sessionmaker(engine)
    await service.import_rows(sessions, tables, now=NOW, today=TODAY)
    # The family with several children and the most homework due tomorrow.
    family = max(
        (g for g in tables["guardians"] if ";" in g["students"]),
        key=lambda g: sum(len(expected_homework(tables, s)[0]) for s in g["students"].split(";")),
    )
    driver = ChatDriver(sessions, FrozenClock(NOW))
    parent = driver.user(7)
    await driver.send(parent, f"/start {await invite(sessions, family['id'])}")
    await driver.press(parent, AGREE)

    checked_homework = checked_averages = checked_lessons = 0
    for child in family["students"].split(";"):
        await driver.press(parent, PickChild(student_id=await student_id(sessions, child)).pack())
        marks = texts(await driver.send(parent, "/marks"))
        averages = expected_averages(tables, child)  # none for a first-former: no marks
        checked_averages += len(averages)
        for subject, average in averages.items():
            assert f"{html.escape(subject, quote=False)}: " in marks, (child, subject)
            line = next(
                line
                for line in marks.splitlines()
                if line.startswith(f"{html.escape(subject, quote=False)}: ")
            )
            assert f"ср. {average}" in line, (child, subject, line)

        tomorrow = texts(await driver.send(parent, "/tomorrow"))
        assert "вторник, 1 декабря" in tomorrow
        lessons = expected_lessons(tables, child)
        checked_lessons += len(lessons)
        for period, subject in lessons:
            assert any(
                line.startswith(f"{period}. ") and f"<b>{subject}</b>" in line
                for line in tomorrow.splitlines()
            ), (child, period, subject, tomorrow)
        mine, others = expected_homework(tables, child)
        for text in mine:
            assert text in tomorrow, (child, text)
        for text in others:
            assert text not in tomorrow, (child, text)
        checked_homework += len(mine)
    assert checked_averages > 0
    assert checked_lessons > 0
    assert checked_homework > 0  # the demo sets homework for tomorrow
