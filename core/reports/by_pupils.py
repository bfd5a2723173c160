"""The report by pupils (аналитическая справка) of one class, across all its subjects.

Each pupil falls in one category by their results in every subject of the period (the same
results as the report by marks, :mod:`core.reports.results`; ``осв`` and ``зач`` are neutral):

* неуспевающие - a 2 or 1 (or ``незач``) in any subject;
* н/а - no 2 but ``н/а`` in some subject; «по болезни» when every lesson they missed in the
  period was missed ill (Б) - the journal does not record why an н/а was given, so that is the
  closest the data tells; the rest are listed apart;
* троечники - no 2, no н/а, at least one 3 (of them «с одной 3»: exactly one 3);
* хорошисты - only 4 and 5, at least one 4 (of them «с одной 4»: exactly one 4);
* отличники - only 5;
* without results - no result in any subject (new pupils before their first mark).

quality = (отличники + хорошисты)·100 / pupils and success = (pupils − неуспевающие − н/а)·100 /
pupils, pupils being everyone in the class on the report's day; rounded half-up to two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Attendance, AttendanceCode
from core.reader import Reader
from core.reports.period import ReportPeriod, resolve
from core.reports.results import FAIL, NOT_ATTESTED, Result, Source, load_results
from core.reports.roster import Pupil, grant
from core.reports.rules import ReportRules, load_rules
from core.services.class_data import load_classes
from core.services.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class PupilsReport:
    class_id: int
    class_name: str
    period: ReportPeriod
    on: date
    source: str  # "attestation", "averages", "mixed" or "none"
    pupils: int
    excellent: tuple[Pupil, ...]  # отличники
    good: tuple[Pupil, ...]  # хорошисты
    good_one_four: tuple[Pupil, ...]  # хорошисты с одной 4
    satisfactory: tuple[Pupil, ...]  # троечники
    satisfactory_one_three: tuple[Pupil, ...]  # троечники с одной 3
    failing: tuple[Pupil, ...]  # неуспевающие (a 2)
    not_attested: tuple[Pupil, ...]  # н/а, no 2
    not_attested_ill: tuple[Pupil, ...]  # of them по болезни (see the module)
    without_results: tuple[Pupil, ...]
    quality: Decimal | None
    success: Decimal | None


def category(results: list[Result]) -> str:
    """``failing``, ``not_attested``, ``satisfactory``, ``good``, ``excellent`` or ``none``."""
    numbers = [r for r in results if isinstance(r, int)]
    if any(n <= 2 for n in numbers) or FAIL in results:
        return "failing"
    if NOT_ATTESTED in results:
        return "not_attested"
    if 3 in numbers:
        return "satisfactory"
    if 4 in numbers:
        return "good"
    return "excellent" if numbers else "none"


async def by_pupils(
    session: AsyncSession,
    class_id: int,
    period: ReportPeriod,
    reader: Reader,
    *,
    on: date | None = None,
    rules: ReportRules | None = None,
) -> PupilsReport:
    infos = await load_classes(session, {class_id})
    if class_id not in infos:
        raise NotFoundError("class", class_id)
    info = infos[class_id]
    rules = rules or await load_rules(session, info.school_id)
    span = await resolve(session, period, info)
    report_day = on or reader.today
    day = min(report_day, span.ends_on) if report_day else span.ends_on
    allowed = await grant(session, reader, class_id, day, details={"report": "by_pupils"})
    pupils = allowed.pupils
    subjects = await load_results(session, [p.id for p in pupils], span, rules, allowed.subject_ids)
    by_pupil: dict[int, list[Result]] = {p.id: [] for p in pupils}
    for subject in subjects:
        for pupil_id, result in subject.results.items():
            by_pupil[pupil_id].append(result)
    groups: dict[str, list[Pupil]] = {}
    for pupil in pupils:
        groups.setdefault(category(by_pupil[pupil.id]), []).append(pupil)
    not_attested = groups.get("not_attested", [])
    ill = await _missed_only_ill(
        session, [p.id for p in not_attested], span.starts_on, span.ends_on
    )
    good = groups.get("good", [])
    satisfactory = groups.get("satisfactory", [])
    total = len(pupils)
    failing = len(groups.get("failing", []))
    sources = {s.source for s in subjects}
    return PupilsReport(
        class_id,
        info.name,
        period,
        day,
        "none" if not sources else (next(iter(sources)).value if len(sources) == 1 else "mixed"),
        total,
        tuple(groups.get("excellent", [])),
        tuple(good),
        tuple(p for p in good if by_pupil[p.id].count(4) == 1),
        tuple(satisfactory),
        tuple(p for p in satisfactory if by_pupil[p.id].count(3) == 1),
        tuple(groups.get("failing", [])),
        tuple(not_attested),
        tuple(p for p in not_attested if p.id in ill),
        tuple(groups.get("none", [])),
        rules.percent(len(groups.get("excellent", [])) + len(good), total),
        rules.percent(total - failing - len(not_attested), total),
    )


async def _missed_only_ill(
    session: AsyncSession, pupil_ids: list[int], start: date, end: date
) -> frozenset[int]:
    """The pupils whose absences in the period are all Б (ill), at least one."""
    if not pupil_ids:
        return frozenset()
    rows = await session.execute(
        select(Attendance.student_id, Attendance.code).where(
            Attendance.student_id.in_(pupil_ids),
            Attendance.date.between(start, end),
            Attendance.deleted_at.is_(None),
            Attendance.code != AttendanceCode.LATE,
        )
    )
    codes: dict[int, set[AttendanceCode]] = {}
    for pupil, code in rows:
        codes.setdefault(pupil, set()).add(AttendanceCode(code))
    return frozenset(p for p, found in codes.items() if found == {AttendanceCode.ILL})


__all__ = ["PupilsReport", "Source", "by_pupils", "category"]
