"""The school settings migration on a database with a school: it gets the defaults the code used
before, the database refuses a setting out of range, and going down keeps the school."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from core import migrate
from tests.conftest import in_thread
from tests.schema.test_bells_schema import _add_school, _run

BEFORE, AFTER = "b5190d31216a", "c7d2e4f61a83"
SELECT_SETTINGS = (
    "SELECT n_counts_not_attested, n_counts_exempt, progress_class_average, risk_average_fall, "
    "risk_absence_percent, risk_min_marks FROM schools"
)
BAD = (
    "UPDATE schools SET risk_average_fall = 2.5",
    "UPDATE schools SET risk_absence_percent = 0",
    "UPDATE schools SET risk_min_marks = 11",
)


async def test_the_settings_migration_both_ways(empty_db_url: str) -> None:
    in_thread(migrate.upgrade, empty_db_url, BEFORE)
    await _add_school(empty_db_url)
    in_thread(migrate.upgrade, empty_db_url, AFTER)
    [row] = await _run(empty_db_url, SELECT_SETTINGS)
    assert tuple(row[:3]) == (True, False, False)
    assert Decimal(str(row[3])) == Decimal("0.5")
    assert tuple(row[4:]) == (30, 3)
    for bad in BAD:
        with pytest.raises(IntegrityError):
            await _run(empty_db_url, bad)
    await _run(empty_db_url, "UPDATE schools SET risk_min_marks = 10, n_counts_exempt = true")
    in_thread(migrate.downgrade, empty_db_url, BEFORE)
    assert await _run(empty_db_url, "SELECT name FROM schools") == [("Гимназия",)]
    in_thread(migrate.upgrade, empty_db_url, AFTER)
    assert await _run(empty_db_url, "SELECT n_counts_exempt, risk_min_marks FROM schools") == [
        (False, 3)
    ]
