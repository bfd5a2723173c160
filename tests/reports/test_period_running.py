"""What "this term" means over several classes: each class's own term running on the day,
so a school with quarters for some classes and halves for others reports December on the 2nd
quarter and the 1st half at once (one term number would be wrong for one of them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.models import AcademicYear, SchoolClass, Term
from core.models.enums import TermKind
from core.reports.files import period_label
from core.reports.period import ReportPeriod, Span, resolve
from core.services.class_data import load_classes


async def _spans(session: AsyncSession, day: date) -> dict[str, Span]:
    classes = (await session.execute(select(SchoolClass.name, SchoolClass.id))).all()
    infos = await load_classes(session, {class_id for _name, class_id in classes})
    period = ReportPeriod.current(day)
    return {name: await resolve(session, period, infos[class_id]) for name, class_id in classes}


async def test_each_class_reports_its_own_running_term(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        year = await session.scalar(select(AcademicYear.id))
        assert year is not None
        for number, (start, end) in enumerate(
            ((date(2026, 9, 1), date(2026, 12, 27)), (date(2027, 1, 11), date(2027, 5, 31))), 1
        ):
            session.add(
                Term(
                    school_id=await session.scalar(select(AcademicYear.school_id)),
                    academic_year_id=year,
                    kind=TermKind.HALF,
                    number=number,
                    name=f"{number} полугодие",
                    starts_on=start,
                    ends_on=end,
                )
            )
        await session.execute(
            update(SchoolClass).where(SchoolClass.name == "5Б").values(term_kind=TermKind.HALF)
        )
        await session.flush()

        december = await _spans(session, date(2026, 12, 5))
        assert (december["7А"].name, december["5Б"].name) == ("2 четверть", "1 полугодие")
        assert december["7А"].starts_on == date(2026, 11, 9)
        assert december["5Б"].starts_on == date(2026, 9, 1)

        # The autumn holiday: the quarter just ended, the half still running.
        autumn = await _spans(session, date(2026, 11, 3))
        assert (autumn["7А"].name, autumn["5Б"].name) == ("1 четверть", "1 полугодие")
        # Before the year: each class's first term; the winter holiday: the last begun.
        august = await _spans(session, date(2026, 8, 20))
        assert (august["7А"].name, august["5Б"].name) == ("1 четверть", "1 полугодие")
        january = await _spans(session, date(2027, 1, 5))
        assert (january["7А"].name, january["5Б"].name) == ("2 четверть", "1 полугодие")


def test_the_label_names_the_day() -> None:
    assert period_label(ReportPeriod.current(date(2026, 12, 5))) == (
        "учебный период, идущий 05.12.2026"
    )
    assert period_label(ReportPeriod.term(2)) == "2-й учебный период"
