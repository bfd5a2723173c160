"""core.services.debts: open unsatisfactory term marks, missed control works, recorded debts."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AttendanceCode, AttestationKind, Debt, Group, Lesson, Subject
from core.services.debts import DebtItem, DebtKind, debts
from tests.services.factory import READER, build_world

TERM = AttestationKind.TERM
ON = date(2027, 2, 1)


async def test_debts_per_subject(session: AsyncSession) -> None:
    w = await build_world(session)
    q1, q2, _, _ = w.quarters
    group1 = await w.group(w.c7a, "Английский, группа 1", w.english)
    group2 = await w.group(w.c7a, "Английский, группа 2", w.english)
    anna = await w.student("Иванова", "Анна", w.c7a)
    boris = await w.student("Петров", "Борис", w.c7a)
    await w.join(group1, anna)
    await w.join(group2, boris)

    # Term marks: Алгебра 2 then 3 (made good); Физика н/а then 2 (both open);
    # Английский 2 deleted; Русский незач with a recorded debt for the same term.
    await w.attest(anna, w.algebra, TERM, "2", term=q1)
    await w.attest(anna, w.algebra, TERM, "3", term=q2)
    await w.attest(anna, w.physics, TERM, "н/а", term=q1)
    await w.attest(anna, w.physics, TERM, "2", term=q2)
    await w.attest(anna, w.english, TERM, "2", term=q1, deleted=True)
    await w.attest(anna, w.russian, TERM, "незач", term=q2)
    await w.add(
        Debt(
            school_id=w.school.id,
            student_id=anna.id,
            subject_id=w.russian.id,
            term_id=q2.id,
            description="Пересдать диктант",
            due_on=date(2027, 2, 20),
        ),
        Debt(
            school_id=w.school.id,
            student_id=anna.id,
            subject_id=w.algebra.id,
            description="Сдано",
            resolved_on=date(2027, 1, 20),
        ),
    )

    # Control works: Борис is marked for each; what matters is whether Анна was there.
    async def control_lesson(
        day: date, subject: Subject | None = None, group: Group | None = None
    ) -> Lesson:
        lesson = await w.lesson(w.c7a, subject or w.algebra, day, 1, group=group)
        await w.mark(boris, subject or w.algebra, day, "4", work_type=w.control, lesson=lesson)
        return lesson

    missed = await control_lesson(date(2026, 12, 10))
    await w.absence(anna, date(2026, 12, 10), 1, AttendanceCode.ILL, lesson=missed)
    written_later = await control_lesson(date(2026, 12, 11))
    await w.absence(anna, date(2026, 12, 11), 1, AttendanceCode.ILL)
    await w.mark(
        anna, w.algebra, date(2026, 12, 18), "5", work_type=w.control, lesson=written_later
    )
    await control_lesson(date(2026, 12, 14))  # present, not marked yet: no debt
    await control_lesson(date(2026, 12, 15))
    await w.absence(anna, date(2026, 12, 15), 1, AttendanceCode.LATE)  # late is no absence
    await control_lesson(date(2026, 12, 16), w.english, group2)  # the other group's work
    await w.absence(anna, date(2026, 12, 16), None, AttendanceCode.ABSENT)
    await control_lesson(date(2026, 12, 17), w.physics)  # a whole-day absence
    await w.absence(anna, date(2026, 12, 17), None, AttendanceCode.ABSENT)
    marked_for_answers = await w.lesson(w.c7a, w.russian, date(2026, 12, 16), 2)
    await w.mark(boris, w.russian, date(2026, 12, 16), "5", work_type=w.answer,
                 lesson=marked_for_answers)  # fmt: skip
    await control_lesson(date(2027, 2, 5))  # after `on`

    result = await debts(session, anna.id, ON, READER)

    assert result.academic_year_id == w.year.id
    got = {s.subject: s.items for s in result.subjects}
    assert list(got) == ["Алгебра", "Русский язык", "Физика"]
    assert got["Алгебра"] == (
        DebtItem(DebtKind.MISSED_CONTROL, date=date(2026, 12, 10), work_type="Контрольная работа"),
    )
    assert got["Русский язык"] == (
        DebtItem(
            DebtKind.RECORDED,
            term="2 четверть",
            description="Пересдать диктант",
            due_on=date(2027, 2, 20),
        ),
    )
    assert got["Физика"] == (
        DebtItem(DebtKind.TERM_MARK, term="1 четверть", value="н/а"),
        DebtItem(DebtKind.TERM_MARK, term="2 четверть", value="2"),
        DebtItem(DebtKind.MISSED_CONTROL, date=date(2026, 12, 17), work_type="Контрольная работа"),
    )


async def test_a_year_mark_makes_a_term_mark_good(session: AsyncSession) -> None:
    w = await build_world(session)
    anna = await w.student("Иванова", "Анна", w.c7a)
    await w.attest(anna, w.algebra, TERM, "2", term=w.quarters[3])
    assert (await debts(session, anna.id, date(2027, 6, 10), READER)).subjects != ()
    await w.attest(anna, w.algebra, AttestationKind.YEAR, "3")
    # In the summer the year just ended is still the one that counts.
    assert (await debts(session, anna.id, date(2027, 6, 10), READER)).subjects == ()
