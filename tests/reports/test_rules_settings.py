"""Who counts in N is the school's setting (``schools.n_counts_not_attested`` and
``n_counts_exempt``, the exchange `school` table): a report without rules of its own follows it.

The class 8В of tests/reports/test_by_marks.py; N is worked out here again from the raw rows.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import School
from core.reports.rules import ReportRules, load_rules
from tests.bot import school
from tests.reports.test_by_marks import (
    MATH,
    RUSSIAN_TERM,
    _report,
    half_up,
    row_of,
    tables,
    term_result,
)


def settings_row(*, not_attested: bool, exempt: bool) -> dict[str, str]:
    return {
        "id": "SCH",
        "name": "Гимназия",
        "n_counts_not_attested": "1" if not_attested else "0",
        "n_counts_exempt": "1" if exempt else "0",
    }


async def load(
    sessions: async_sessionmaker[AsyncSession], *, not_attested: bool, exempt: bool
) -> None:
    rows = tables()
    rows["school"] = [settings_row(not_attested=not_attested, exempt=exempt)]
    await service.import_rows(sessions, rows, now=school.NOW, today=school.TODAY)


def expected_n(results: list[int | str], *, not_attested: bool, exempt: bool) -> int:
    numeric = sum(1 for r in results if isinstance(r, int))
    return (
        numeric
        + (results.count("н/а") if not_attested else 0)
        + (results.count("осв") if exempt else 0)
    )


MATH_RESULTS = [term_result(given) for given in MATH.values()]
RUSSIAN_RESULTS: list[int | str] = [int(v) if v.isdigit() else v for v in RUSSIAN_TERM.values()]


@pytest.mark.parametrize(
    ("not_attested", "exempt", "rule"),
    [
        (True, False, "marked+na"),  # the default
        (True, True, "marked+na+exempt"),
        (False, True, "marked+exempt"),
        (False, False, "marked"),
    ],
)
async def test_n_follows_the_schools_setting(
    sessions: async_sessionmaker[AsyncSession], not_attested: bool, exempt: bool, rule: str
) -> None:
    await load(sessions, not_attested=not_attested, exempt=exempt)
    report = await _report(sessions)  # no rules passed: the school's
    assert report.n_rule == rule
    for subject, results in (("Математика", MATH_RESULTS), ("Русский язык", RUSSIAN_RESULTS)):
        row = row_of(report, subject)
        n = expected_n(results, not_attested=not_attested, exempt=exempt)
        assert row.n == n, subject
        top = results.count(5) + results.count(4)
        assert row.quality == half_up(Fraction(100 * top, n)), subject


async def test_exempt_pupils_in_n_change_the_figures(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await load(sessions, not_attested=True, exempt=False)
    before = row_of(await _report(sessions), "Математика")
    await load(sessions, not_attested=True, exempt=True)
    after = row_of(await _report(sessions), "Математика")
    # Mathematics: ten numeric results, an н/а (B07) and an осв (B08); six 5s and 4s. The осв
    # joins N, and quality falls.
    assert (before.n, after.n) == (11, 12)
    assert before.quality == half_up(Fraction(600, 11)) == Decimal("54.55")
    assert after.quality == half_up(Fraction(600, 12)) == Decimal("50.00")


async def test_load_rules_reads_every_column(sessions: async_sessionmaker[AsyncSession]) -> None:
    await load(sessions, not_attested=False, exempt=True)
    async with sessions() as session:
        school_id = (await session.execute(select(School.id))).scalar_one()
        rules = await load_rules(session, school_id)
    assert rules.n_counts_not_attested is False
    assert rules.n_counts_exempt is True
    assert rules.sou_weight_7_on_not_attested is False
    assert rules.thresholds.five == Decimal("4.50")
    assert rules != ReportRules()
