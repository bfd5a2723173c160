"""core.services.progress: running averages per week, recomputed here from the raw marks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.access.policy import AccessDenied
from core.models import AuditRecord
from core.reader import Reader
from core.services.errors import NotFoundError
from core.services.progress import (
    ProgressRules,
    WeekPoint,
    load_progress_rules,
    progress,
    student_progress_rules,
)
from tests.services.factory import READER, World, build_world
from tests.services.test_audit_and_statements import counting

# The 2nd quarter of the factory's calendar runs 04.11–27.12.2026 (a Wednesday start).
ON = date(2026, 11, 25)  # a Wednesday of the fourth week
# (date, value, weight) of Анна's algebra; weight 2 is the control work.
ALGEBRA = [
    (date(2026, 10, 20), "2", 1),  # the 1st quarter: never counted
    (date(2026, 11, 5), "5", 1),
    (date(2026, 11, 6), "4", 2),
    (date(2026, 11, 12), "н/а", 1),  # non-numeric: a week with no numeric mark has no point
    (date(2026, 11, 17), "3", 1),
    (date(2026, 11, 19), "2", 1),
    (date(2026, 11, 23), "4", 1),
    (date(2026, 11, 29), "5", 2),  # Sunday of the asked week: counted in that week
    (date(2026, 11, 30), "2", 2),  # after the asked week: not yet
]


def expected(marks: list[tuple[date, str, int]], on: date) -> list[tuple[date, Decimal]]:
    """Each week's running average, worked out from scratch: exact fractions, half-up."""
    start, end = date(2026, 11, 4), date(2026, 12, 27)
    sunday = on + timedelta(days=6 - on.weekday())
    in_term = [(d, int(v), w) for d, v, w in marks if start <= d <= min(end, sunday) if v.isdigit()]
    weeks = sorted({d - timedelta(days=d.weekday()) for d, _, _ in in_term})
    points = []
    for monday in weeks:
        upto = [(v, w) for d, v, w in in_term if d <= monday + timedelta(days=6)]
        exact = Fraction(sum(v * w for v, w in upto), sum(w for _, w in upto))
        hundredths = (exact * 100 + Fraction(1, 2)).__floor__()  # half-up, two places
        points.append((monday, Decimal(hundredths) / 100))
    return points


async def _anna(w: World) -> int:
    anna = await w.student("Иванова", "Анна", w.c7a)
    for day, value, weight in ALGEBRA:
        await w.mark(anna, w.algebra, day, value, work_type=w.control if weight == 2 else None)
    await w.mark(anna, w.physics, date(2026, 11, 16), "зач")  # never numeric: left out
    await w.mark(anna, w.russian, date(2026, 11, 10), "4", deleted=True)  # deleted: left out
    await w.mark(anna, w.english, date(2026, 11, 24), "5")
    return anna.id


async def test_each_week_has_the_running_average_of_the_term_so_far(
    session: AsyncSession,
) -> None:
    w = await build_world(session)
    anna = await _anna(w)

    result = await progress(session, anna, ON, READER)

    assert result.term is not None
    assert result.term.name == "2 четверть"
    assert result.weeks == tuple(date(2026, 11, 2) + timedelta(days=7 * n) for n in range(4))
    assert [s.subject for s in result.subjects] == ["Алгебра", "Английский язык"]
    algebra, english = result.subjects
    points = [(p.week, p.average) for p in algebra.points]
    assert points == expected(ALGEBRA, ON)
    # Spelled out once, so a mistake shared by both routes would still show:
    # (5 + 8) / 3 = 4.33; + 3 + 2 → 18 / 5 = 3.60; + 4 + 10 → 32 / 8 = 4.00.
    assert [p.average for p in algebra.points] == [
        Decimal("4.33"),
        Decimal("3.60"),
        Decimal("4.00"),
    ]
    assert date(2026, 11, 9) not in [p.week for p in algebra.points]  # only the н/а that week
    assert (algebra.average, algebra.suggested_mark) == (Decimal("4.00"), 4)
    assert english.points == (WeekPoint(date(2026, 11, 23), Decimal("5.00")),)
    assert algebra.class_points == english.class_points == ()  # the default: no class line


async def test_the_last_point_is_the_diarys_term_average_at_the_terms_end(
    session: AsyncSession,
) -> None:
    from core.services.diary import diary

    w = await build_world(session)
    anna = await _anna(w)
    late = date(2026, 12, 30)  # winter holidays: the term just ended is shown
    result = await progress(session, anna, late, READER)
    assert result.term is not None
    assert result.term.ends_on == date(2026, 12, 27)
    assert result.weeks[-1] == date(2026, 12, 21)
    term = await diary(session, anna, date(2026, 11, 4), date(2026, 12, 27), READER)
    assert result.subjects[0].average == term.subjects[0].average
    assert [(p.week, p.average) for p in result.subjects[0].points] == expected(ALGEBRA, late)


async def test_the_class_line_pools_the_class_only_when_the_rules_allow(
    session: AsyncSession,
) -> None:
    w = await build_world(session)
    anna = await _anna(w)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.mark(boris, w.algebra, date(2026, 11, 18), "2")
    stranger = await w.student("Сидоров", "Глеб", w.c7b)  # another class: not in the line
    await w.mark(stranger, w.algebra, date(2026, 11, 18), "5")

    shown = await progress(session, anna, ON, READER, rules=ProgressRules(class_average=True))

    pooled = [*ALGEBRA, (date(2026, 11, 18), "2", 1)]
    assert [(p.week, p.average) for p in shown.subjects[0].class_points] == expected(pooled, ON)
    hidden = await progress(session, anna, ON, READER)
    assert hidden.subjects[0].class_points == ()


async def test_the_class_line_is_the_schools_setting(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await _anna(w)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.mark(boris, w.algebra, date(2026, 11, 18), "2")
    pooled = [*ALGEBRA, (date(2026, 11, 18), "2", 1)]

    # A new school does not allow it.
    assert await load_progress_rules(session, w.school.id) == ProgressRules(class_average=False)
    rules = await student_progress_rules(session, anna)
    assert rules.class_average is False
    hidden = await progress(session, anna, ON, READER, rules=rules)
    assert [s.class_points for s in hidden.subjects] == [(), ()]

    w.school.progress_class_average = True
    await session.flush()
    assert await load_progress_rules(session, w.school.id) == ProgressRules(class_average=True)
    rules = await student_progress_rules(session, anna)
    assert rules.class_average is True
    shown = await progress(session, anna, ON, READER, rules=rules)
    algebra, english = shown.subjects
    assert [(p.week, p.average) for p in algebra.class_points] == expected(pooled, ON)
    assert english.class_points == english.points  # Анна is the only one with English marks
    # The audit says which it was.
    details = (
        (
            await session.execute(
                select(AuditRecord.details)
                .where(AuditRecord.action == "read_progress")
                .order_by(AuditRecord.id)
            )
        )
        .scalars()
        .all()
    )
    assert [d["class_average"] for d in details] == [False, True]


async def test_the_rules_of_a_missing_school_or_student_are_not_found(
    session: AsyncSession,
) -> None:
    w = await build_world(session)
    with pytest.raises(NotFoundError):
        await load_progress_rules(session, w.school.id + 1000)
    with pytest.raises(NotFoundError):
        await student_progress_rules(session, 999_999)


async def test_out_of_any_class_or_term_there_is_nothing_to_show(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await _anna(w)
    before = await progress(session, anna, date(2026, 8, 20), READER)
    assert (before.term, before.weeks, before.subjects) == (None, (), ())


async def test_checked_and_audited_as_marks_and_a_stranger_is_refused(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    w = await build_world(session)
    anna = await _anna(w)
    with counting(engine) as statements:
        await progress(session, anna, ON, READER)
    # The check (the student, the audit insert), the history, the terms, the marks - however
    # many subjects and marks there are.
    assert len(statements) == 5
    actions = (await session.execute(select(AuditRecord.action, AuditRecord.student_id))).all()
    assert ("read_progress", anna) in [tuple(a) for a in actions]
    stranger = Reader("telegram", account_id=5, guardian_ids=(999_999,), today=ON)
    with pytest.raises(AccessDenied):
        await progress(session, anna, ON, stranger)


async def test_the_chats_progress_follows_the_schools_setting(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """handlers/progress.py reads the child's school's setting (the chart's data is caught)."""
    import core.charts.progress
    import handlers.progress
    from bot.app import create_i18n
    from core.linking.dto import ChildRef
    from core.services.progress import Progress

    w = await build_world(session)
    anna = await _anna(w)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.mark(boris, w.algebra, date(2026, 11, 18), "2")
    drawn: list[Progress] = []
    sent: list[object] = []

    async def child_in_focus(message: object, data: object) -> ChildRef:
        return ChildRef(anna, "Анна Иванова", "7А")

    def render(found: Progress, texts: object, locale: str) -> bytes:
        drawn.append(found)
        return b"\x89PNG"

    class FakeMessage:
        async def answer_photo(self, photo: object, caption: str) -> None:
            sent.append(photo)

        async def answer(self, text: str) -> None:  # pragma: no cover - a failure's path
            raise AssertionError(text)

    monkeypatch.setattr(handlers.progress, "focus_or_explain", child_in_focus)
    monkeypatch.setattr(core.charts.progress, "render_progress", render)
    data = {"session": session, "today": ON, "reader": READER}
    i18n = create_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        await handlers.progress.on_progress(FakeMessage(), **data)  # type: ignore[arg-type]
        w.school.progress_class_average = True
        await session.flush()
        await handlers.progress.on_progress(FakeMessage(), **data)  # type: ignore[arg-type]
    hidden, shown = drawn
    assert len(sent) == 2
    assert [s.class_points for s in hidden.subjects] == [(), ()]
    pooled = [*ALGEBRA, (date(2026, 11, 18), "2", 1)]
    assert [(p.week, p.average) for p in shown.subjects[0].class_points] == expected(pooled, ON)
