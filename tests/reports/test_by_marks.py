"""The report by marks recomputed from the raw rows by a route of the test's own.

Class 8В, second quarter (9.11-27.12), of the tiny school. Mathematics has no term marks, so
it is computed on averages: pupils whose weighted averages are exactly 4.5, 3.5 and 2.5 (half-up
rounding earns the higher mark), a control work of weight 2, a 1, an н/а, an осв, a pupil with
no marks. Russian has term marks (a 5, two н/а, a 1, an осв, a 4) and current marks that must
not count. The route below uses Fractions and its own half-up rounding.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import School, SchoolClass
from core.reader import Reader
from core.reports.by_marks import MarksReport, SubjectRow, by_marks
from core.reports.period import ReportPeriod
from core.reports.rules import ReportRules
from tests.bot import school

WEIGHTS = {"ANS": 1, "CTRL": 2}
# pupil → [(value, work type)] in mathematics this quarter
MATH: dict[str, list[tuple[str, str]]] = {
    "B01": [("5", "ANS"), ("4", "ANS")],  # 4.50 → 5
    "B02": [("4", "ANS"), ("3", "ANS")],  # 3.50 → 4
    "B03": [("3", "ANS"), ("2", "ANS")],  # 2.50 → 3
    "B04": [("2", "ANS"), ("2", "ANS"), ("3", "ANS")],  # 2.33 → 2
    "B05": [("5", "CTRL"), ("4", "ANS")],  # 14/3 = 4.67 → 5
    "B06": [("1", "ANS")],  # 1.00 → 2
    "B07": [("н/а", "ANS")],
    "B08": [("осв", "ANS")],
    "B10": [("4", "ANS"), ("5", "ANS"), ("4", "CTRL")],  # 17/4 = 4.25 → 4
    "B11": [("4", "CTRL"), ("3", "CTRL")],  # 14/4 = 3.50 → 4
    "B12": [("3", "CTRL"), ("2", "ANS"), ("2", "ANS")],  # 2.50 → 3
    "B13": [("5", "ANS"), ("5", "ANS"), ("4", "ANS"), ("4", "ANS")],  # 4.50 → 5
}
# Russian term marks of the quarter; the current marks below must be ignored.
RUSSIAN_TERM = {"B01": "5", "B02": "н/а", "B03": "1", "B04": "осв", "B05": "4", "B06": "н/а"}
RUSSIAN_CURRENT = {"B07": "2", "B01": "2"}
PUPILS = [f"B{n:02}" for n in range(1, 14)]  # B09 has no marks at all


def tables() -> dict[str, list[dict[str, str]]]:
    marks = [
        {
            "id": f"M-{pupil}-{n}",
            "student": pupil,
            "subject": "MAT",
            "date": f"2026-11-{10 + n:02}",
            "value": value,
            "work_type": work,
            "teacher": "T2",
        }
        for pupil, given in MATH.items()
        for n, (value, work) in enumerate(given)
    ] + [
        {
            "id": f"R-{pupil}",
            "student": pupil,
            "subject": "RUS",
            "date": "2026-11-20",
            "value": value,
            "work_type": "ANS",
            "teacher": "T2",
        }
        for pupil, value in RUSSIAN_CURRENT.items()
    ]
    return {
        "subjects": [{"id": "MAT", "name": "Математика"}],
        "classes": [{"id": "C8V", "name": "8В", "year": "Y"}],
        "students": [
            {
                "id": key,
                "last_name": f"Восьмой{key}",
                "first_name": "Ян",
                "class": "C8V",
                "enrolled": "2026-09-01",
            }
            for key in PUPILS
        ],
        "marks": marks,
        "attestation": [
            {
                "id": f"T-{pupil}",
                "student": pupil,
                "subject": "RUS",
                "kind": "term",
                "term": "Q2",
                "year": "Y",
                "value": value,
            }
            for pupil, value in RUSSIAN_TERM.items()
        ]
        # A first-quarter mark that a second-quarter report must not see.
        + [
            {
                "id": "T-Q1",
                "student": "B09",
                "subject": "RUS",
                "kind": "term",
                "term": "Q1",
                "year": "Y",
                "value": "2",
            }
        ],
    }


# The independent route -------------------------------------------------------------------


def half_up(value: Fraction, places: int = 2) -> Decimal:
    scaled = value * 10**places
    whole = scaled.numerator // scaled.denominator
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-places)


def term_result(given: list[tuple[str, str]]) -> int | str:
    numbers = [(int(v), WEIGHTS[w]) for v, w in given if v.isdigit()]
    if not numbers:
        return given[0][0]
    shown = half_up(Fraction(sum(v * w for v, w in numbers), sum(w for _, w in numbers)))
    for mark, threshold in ((5, "4.5"), (4, "3.5"), (3, "2.5")):
        if shown >= Decimal(threshold):
            return mark
    return 2


def expected_row(results: list[int | str], seven_on_na: bool) -> dict[str, object]:
    count = {k: results.count(k) for k in (5, 4, 3, 2, 1, "н/а", "осв")}
    n = sum(count[k] for k in (5, 4, 3, 2, 1)) + count["н/а"]  # the default N: осв left out
    seven = count["н/а"] if seven_on_na else count[1]
    points = 100 * count[5] + 64 * count[4] + 36 * count[3] + 16 * count[2] + 7 * seven
    numbers = [r for r in results if isinstance(r, int)]
    return {
        "counts": count,
        "n": n,
        "quality": half_up(Fraction(100 * (count[5] + count[4]), n)),
        "success": half_up(Fraction(100 * (count[5] + count[4] + count[3]), n)),
        "sou": half_up(Fraction(points, n)),
        "average": half_up(Fraction(sum(numbers), len(numbers))),
    }


def actual_row(row: SubjectRow) -> dict[str, object]:
    c = row.counts
    return {
        "counts": {
            5: c.five,
            4: c.four,
            3: c.three,
            2: c.two,
            1: c.one,
            "н/а": c.not_attested,
            "осв": c.exempt,
        },
        "n": row.n,
        "quality": row.quality,
        "success": row.success,
        "sou": row.sou,
        "average": row.average,
    }


def row_of(report: MarksReport, subject: str) -> SubjectRow:
    return next(r for r in report.subjects if r.subject == subject)


async def _report(
    sessions: async_sessionmaker[AsyncSession], rules: ReportRules | None = None
) -> MarksReport:
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "8В"))
        ).scalar_one()
        return await by_marks(
            session,
            [class_id],
            ReportPeriod.term(2),
            Reader.operator("test"),
            on=school.TODAY,
            rules=rules,
        )


@pytest.fixture
async def loaded(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    return sessions


def test_the_route_itself_rounds_half_up() -> None:
    assert half_up(Fraction(9, 2), 0) == Decimal(5)  # round(4.5) would give 4
    assert half_up(Fraction(2345, 1000)) == Decimal("2.35")
    results = [term_result(MATH[p]) for p in ("B01", "B02", "B03", "B04", "B11", "B12", "B13")]
    assert results == [5, 4, 3, 2, 4, 3, 5]


@pytest.mark.parametrize("seven_on_na", [False, True])
async def test_every_figure_matches_the_raw_rows(
    loaded: async_sessionmaker[AsyncSession], seven_on_na: bool
) -> None:
    async with loaded() as session:
        await session.execute(update(School).values(sou_weight_7_on_not_attested=seven_on_na))
        await session.commit()
    report = await _report(loaded)
    assert report.sou_rule == ("7_on_na" if seven_on_na else "7_on_1")
    assert report.n_rule == "marked+na"
    assert report.source == "mixed"

    math = row_of(report, "Математика")
    assert math.source == "averages"
    math_results = [term_result(given) for given in MATH.values()]
    assert actual_row(math) == expected_row(math_results, seven_on_na)
    assert math.counts.five == 3  # B01 and B13 at exactly 4.50, B05 at 4.67
    assert math.counts.one == 0  # an average never suggests a 1

    russian = row_of(report, "Русский язык")
    assert russian.source == "attestation"
    russian_results = [int(v) if v.isdigit() else v for v in RUSSIAN_TERM.values()]
    assert actual_row(russian) == expected_row(russian_results, seven_on_na)
    assert russian.n == 5  # осв out, н/а in, B07's current 2 and B09's first-quarter 2 unseen
    # (100 + 64 + 7·1) / 5 or (100 + 64 + 7·2) / 5: the variants differ here.
    assert russian.sou == (Decimal("35.60") if seven_on_na else Decimal("34.20"))


async def test_n_with_exempt_pupils_and_without_na(
    loaded: async_sessionmaker[AsyncSession],
) -> None:
    rules = ReportRules(n_counts_not_attested=False, n_counts_exempt=True)
    report = await _report(loaded, rules)
    assert report.n_rule == "marked+exempt"
    russian = row_of(report, "Русский язык")
    assert russian.n == 4  # 5, 1, 4 and the осв; the two н/а are out
    assert russian.quality == Decimal("50.00")
    assert russian.success == Decimal("50.00")
    math = row_of(report, "Математика")
    assert math.n == 11  # ten numeric results and the осв
    assert math.quality == Decimal("54.55")  # 6 · 100 / 11 = 54.545...


async def test_thresholds_in_the_pupils_favour(loaded: async_sessionmaker[AsyncSession]) -> None:
    async with loaded() as session:
        await session.execute(
            update(School).values(
                threshold_5=Decimal("4.65"),
                threshold_4=Decimal("3.65"),
                threshold_3=Decimal("2.65"),
            )
        )
        await session.commit()
    math = row_of(await _report(loaded), "Математика")
    # 4.50 → 4 (B01, B13), 3.50 → 3 (B02, B11), 2.50 → 2 (B03, B12); 4.67 stays a 5.
    assert (math.counts.five, math.counts.four, math.counts.three, math.counts.two) == (1, 3, 2, 4)
