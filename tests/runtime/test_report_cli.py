"""`journal report` as an operator runs it: the tiny school with class 8В of
tests/reports/test_by_marks.py (mathematics on averages: N = 11, quality 54.55 %)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_sessionmaker
from core.exchange import service
from core.models import AuditRecord
from tests.bot import school
from tests.cli_kit import Journal, isolate, runner
from tests.conftest import seeds
from tests.reports.test_by_marks import tables


async def _load(sessions: async_sessionmaker[AsyncSession]) -> None:
    await school.load(sessions)
    await service.import_rows(sessions, tables(), now=school.NOW, today=school.TODAY)


@pytest.fixture
@seeds(_load)  # loaded once per worker into a template every test copies (tests/conftest.py)
async def sessions(
    engine: AsyncEngine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> async_sessionmaker[AsyncSession]:
    isolate(monkeypatch, db_url, tmp_path)
    return create_sessionmaker(engine)


@pytest.fixture
def journal(capsys: pytest.CaptureFixture[str]) -> Journal:
    return runner(capsys)


def _column(sheet_rows: list[tuple[object, ...]], subject: str, heading: str) -> object:
    headings = list(sheet_rows[1])
    row = next(r for r in sheet_rows[2:] if r[0] == subject)
    return row[headings.index(heading)]


async def test_a_class_report_as_a_workbook(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, tmp_path: Path
) -> None:
    done = await journal("report", "--term", "2", "--by", "class", "--class", "8в", "--out", "out")
    assert done.code == 0, done.err
    [path] = [Path(line) for line in done.out.splitlines()]
    assert path == tmp_path / "out" / "отчёт-8В-период2.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["По предметам", "По обучающимся", "Посещаемость"]
    rows = list(book["По предметам"].iter_rows(values_only=True))
    assert _column(rows, "Математика", "N") == 11
    assert _column(rows, "Математика", "Качество") == pytest.approx(0.5455)
    async with sessions() as session:
        audited = await session.scalar(
            select(func.count()).where(AuditRecord.action == "read_report")
        )
    assert audited == 13 * 3  # every pupil of 8В, once per section


async def test_csv_files_per_section_and_other_scopes(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, tmp_path: Path
) -> None:
    done = await journal(
        "report", "--year", "--by", "class", "--class", "8В", "--format", "csv", "--out", "csv"
    )
    assert done.code == 0, done.err
    names = sorted(Path(line).name for line in done.out.splitlines())
    assert names == [
        "отчёт-8В-год-attendance.csv",
        "отчёт-8В-год-pupils.csv",
        "отчёт-8В-год-subjects.csv",
    ]
    parallel = await journal("report", "--term", "2", "--by", "parallel", "--grade", "8")
    assert parallel.code == 0, parallel.err
    assert Path(parallel.out.strip()).name == "параллель-8-период2.xlsx"
    teacher = await journal(
        "report", "--from", "2026-11-01", "--to", "2026-12-27", "--by", "teacher",
        "--teacher", "T1", "--format", "csv",
    )  # fmt: skip
    assert teacher.code == 0, teacher.err
    subjects_file, keeping_file = (Path(line) for line in teacher.out.splitlines())
    assert subjects_file.name == "учитель-T1-20261101-20261227-subjects.csv"
    assert keeping_file.name == "учитель-T1-20261101-20261227-keeping.csv"
    text = subjects_file.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # Крылова teaches 7А algebra and Russian: Анна 5 4 3 → 4.00 → 4, Дмитрий 2.
    algebra = next(r for r in rows if r[0] == "Алгебра")
    assert algebra[rows[0].index("N")] == "2"
    assert algebra[rows[0].index("Качество")] == "50,00"
    keeping = list(
        csv.reader(
            io.StringIO(keeping_file.read_bytes().decode("utf-8-sig")),
            delimiter=";",
        )
    )
    # The journal has no lessons: none held, no share; 7А's two pupils (the marks depend on
    # the day the test runs: the report stops at today).
    assert keeping[0][:6] == [
        "Класс",
        "Предмет",
        "Уроков",
        "С темой",
        "Доля с темой, %",
        "Обучающихся",
    ]
    assert [r[:6] for r in keeping[1:]] == [
        ["7А", "Алгебра", "0", "0", "", "2"],
        ["7А", "Русский язык", "0", "0", "", "2"],
    ]
    workbook = await journal("report", "--year", "--by", "teacher", "--teacher", "T1")
    assert workbook.code == 0, workbook.err
    book = load_workbook(Path(workbook.out.strip()))
    assert book.sheetnames == ["По предметам", "Ведение журнала"]
    caption = book["По предметам"]["A1"].value
    assert "учитель Крылова Н. П., учебный год" in str(caption)
    assert "учитель Крылова Н. П., учебный год" in str(book["Ведение журнала"]["A1"].value)
    subject = await journal(
        "report", "--term", "2", "--by", "subject", "--subject", "математика", "--format", "csv"
    )
    assert subject.code == 0, subject.err
    school_wide = await journal("report", "--term", "2", "--by", "school")
    assert school_wide.code == 0, school_wide.err


async def test_the_movement_report(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    done = await journal("report", "movement", "--from", "2026-12-01", "--to", "2026-12-31")
    assert done.code == 0, done.err
    book = load_workbook(Path(done.out.strip()))
    assert book.sheetnames == ["Движение", "Движение поимённо"]
    # Борис (5Б) leaves the school on 07.12.
    named = list(book["Движение поимённо"].iter_rows(min_row=3, values_only=True))
    assert named == [("07.12.2026", "Иванов Борис", "выбыл", "5Б", None, None)]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--term", "2", "--by", "class", "--class", "9Я"), "no class 9Я"),
        (("--term", "2", "--by", "class"), "--class"),
        (("--term", "7", "--by", "class", "--class", "8В"), "no such term"),
        (("--from", "2026-11-01", "--by", "school"), "--to"),
        (("--from", "2026-12-01", "--to", "2026-11-01", "--by", "school"), "after"),
        (("--term", "2", "--by", "subject", "--subject", "Химия"), "no subject Химия"),
        (("--term", "2", "--by", "teacher", "--teacher", "T99"), "T99"),
        (
            (
                "--by",
                "school",
            ),
            "--term",
        ),
        (("movement", "--from", "2026-12-01"), "--from DATE --to DATE"),
    ],
)
async def test_bad_input_stops_with_one_line_and_code_2(
    sessions: async_sessionmaker[AsyncSession],
    journal: Journal,
    tmp_path: Path,
    argv: tuple[str, ...],
    words: str,
) -> None:
    bad = await journal("report", *argv)
    assert bad.code == 2
    assert bad.err.startswith("journal: ")
    assert words in bad.err
    assert not (tmp_path / "reports").exists()


async def test_a_date_that_is_no_date_stops_with_usage(
    sessions: async_sessionmaker[AsyncSession], journal: Journal
) -> None:
    with pytest.raises(SystemExit) as stopped:
        await journal("report", "--from", "2026-13-45", "--to", "2026-12-01", "--by", "school")
    assert stopped.value.code == 2


async def test_a_class_report_printed_as_pdf(
    sessions: async_sessionmaker[AsyncSession], journal: Journal, tmp_path: Path
) -> None:
    import subprocess

    done = await journal(
        "report", "--term", "2", "--by", "class", "--class", "8в", "--format", "pdf", "--out", "out"
    )
    assert done.code == 0, done.err
    [path] = [Path(line) for line in done.out.splitlines()]
    assert path.suffix == ".pdf"
    text = subprocess.run(  # noqa: ASYNC221 - the test's own look at the file
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "8В" in text
    assert "Отчёт по предметам" in text
    assert "Математика" in text
    assert "54,55" in text  # quality of mathematics
    teacher = await journal(
        "report", "--year", "--by", "teacher", "--teacher", "T1", "--format", "pdf", "--out", "t"
    )
    assert teacher.code == 0, teacher.err
    [printed] = [Path(line) for line in teacher.out.splitlines()]
    assert printed.name == "учитель-T1-год.pdf"
    text = subprocess.run(  # noqa: ASYNC221 - the test's own look at the file
        ["pdftotext", str(printed), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Учитель Крылова Н. П." in text
    assert "Отчёт по предметам" in text
    assert "Ведение журнала" in text
    movement = await journal(
        "report", "movement", "--from", "2026-09-01", "--to", "2026-11-30", "--format", "pdf"
    )
    assert movement.code == 2
    assert "no PDF version" in movement.err
