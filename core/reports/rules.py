"""A school's report rules: the СОУ variant, who counts in N, the thresholds, the rounding.

The thresholds, the СОУ variant and whether N counts ``н/а`` and exempt (``осв``) pupils are
columns of ``schools`` (the exchange `school` table), with DOMAIN.md's defaults (weight 7 on the
mark 1; н/а in N, осв out); the percentages' places are not a setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.grading import DEFAULT_THRESHOLDS, Thresholds, round_half_up
from core.models import School
from core.services.errors import NotFoundError

PERCENT_PLACES = 2
AVERAGE_PLACES = 2


@dataclass(frozen=True, slots=True)
class ReportRules:
    """How a school computes its figures (docs/reports.md names every variant)."""

    sou_weight_7_on_not_attested: bool = False  # else on the mark 1
    n_counts_not_attested: bool = True  # н/а pupils are in N (DOMAIN.md)
    n_counts_exempt: bool = False  # освобождённые are left out of N (DOMAIN.md)
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    percent_places: int = PERCENT_PLACES

    @property
    def n_rule(self) -> str:
        """The N used, as a report prints it: ``"marked+na"``, ``"marked+na+exempt"``..."""
        parts = ["marked"]
        if self.n_counts_not_attested:
            parts.append("na")
        if self.n_counts_exempt:
            parts.append("exempt")
        return "+".join(parts)

    @property
    def sou_rule(self) -> str:
        return "7_on_na" if self.sou_weight_7_on_not_attested else "7_on_1"

    def percent(self, part: int, whole: int) -> Decimal | None:
        """part · 100 / whole rounded half-up; ``None`` when nobody is counted."""
        if whole <= 0:
            return None
        return round_half_up(Decimal(part * 100) / Decimal(whole), self.percent_places)


async def load_rules(session: AsyncSession, school_id: int) -> ReportRules:
    """The school's rules, from its columns (one statement)."""
    row = (
        await session.execute(
            select(
                School.sou_weight_7_on_not_attested,
                School.threshold_5,
                School.threshold_4,
                School.threshold_3,
                School.n_counts_not_attested,
                School.n_counts_exempt,
            ).where(School.id == school_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError("school", school_id)
    return ReportRules(
        sou_weight_7_on_not_attested=bool(row[0]),
        thresholds=Thresholds(Decimal(row[1]), Decimal(row[2]), Decimal(row[3])),
        n_counts_not_attested=bool(row[4]),
        n_counts_exempt=bool(row[5]),
    )
