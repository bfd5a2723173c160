"""The published 2А report as the administration prints it: the PDF's text holds the headings
and the figures (pdftotext), and every page renders (pdftoppm), as a person would look at it."""

from __future__ import annotations

import asyncio
import subprocess
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.exchange import service
from core.models import SchoolClass
from core.reader import Reader
from core.reports.by_marks import by_marks
from core.reports.by_pupils import by_pupils
from core.reports.pdf import report_pdf
from core.reports.period import ReportPeriod
from core.reports.roster import Pupil
from tests.bot import school
from tests.reports.test_files import keeping_example
from tests.reports.test_published import tables


async def test_the_class_report_prints(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)
    async with sessions() as session:
        class_id = (
            await session.execute(select(SchoolClass.id).where(SchoolClass.name == "2А"))
        ).scalar_one()
        reader = Reader.operator("test")
        marks = await by_marks(session, [class_id], ReportPeriod.year(), reader)
        pupils = await by_pupils(session, class_id, ReportPeriod.year(), reader)
    data = await asyncio.to_thread(report_pdf, "2А · 2026/2027 учебный год", marks, pupils)
    text, pages = await asyncio.to_thread(_look_at, data, tmp_path)
    assert "2А · 2026/2027 учебный год" in text
    assert "Отчёт по предметам" in text
    assert "Отчёт по обучающимся" in text
    assert "Русский язык" in text
    assert "93,75" in text  # quality, by marks and by pupils
    assert "100,00" in text
    assert "Ученик08 Иван" in text  # с одной 4
    assert len(pages) == 3
    assert all(size > 5_000 for size in pages)  # drawn, not blank


def _look_at(data: bytes, where: Path) -> tuple[str, list[int]]:
    """The PDF's text, and the sizes of its pages rendered as PNG images."""
    pdf = where / "report.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(where / "page")], check=True)
    return text, [page.stat().st_size for page in sorted(where.glob("page-*.png"))]


async def test_a_teachers_analysis_prints_the_journal_keeping(tmp_path: Path) -> None:
    marks, keeping = keeping_example()
    data = await asyncio.to_thread(
        report_pdf, "учитель Крылова Н. П. · 2-й учебный период", marks, keeping=keeping
    )
    text, pages = await asyncio.to_thread(_look_at, data, tmp_path)
    assert "Ведение журнала" in text
    assert "Отчёт по предметам" in text
    assert "Русский язык" in text
    assert "60,00" in text  # the share of lessons with a topic
    assert "3,46" in text  # marks per pupil per month
    assert "2,50" in text  # the median of days to a mark
    assert "=Андреев Олег, Сидорова Вера" in text
    assert len(pages) == 2  # by marks (no subjects: no chart), the journal keeping
    assert all(size > 5_000 for size in pages)


async def test_a_long_list_of_names_runs_on_to_the_next_page(tmp_path: Path) -> None:
    """Twelve classes of 30 pupils short of marks: the names continue on further pages instead
    of running off the bottom, and the last name is printed."""
    marks, keeping = keeping_example()
    [row, _empty] = keeping.rows
    crowd = tuple(Pupil(100 + n, f"Ученикова{n:03d} Мария") for n in range(30))
    rows = tuple(
        replace(row, class_id=c, class_name=f"{5 + c % 7}{'АБВГ'[c % 4]}", few_marks=crowd)
        for c in range(12)
    )
    data = await asyncio.to_thread(
        report_pdf, "учитель · 2-й учебный период", marks, keeping=replace(keeping, rows=rows)
    )
    text, pages = await asyncio.to_thread(_look_at, data, tmp_path)
    assert "Ведение журнала (продолжение)" in text
    assert len(pages) >= 3  # by marks, the keeping, at least one page of names more
    assert text.count("Ученикова029 Мария") == 12  # every class's last name is there
    assert all(size > 5_000 for size in pages)
