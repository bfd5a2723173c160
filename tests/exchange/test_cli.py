"""`journal import` and `journal export` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from tests.cli_kit import journal_in_process as journal
from tests.exchange.school_files import write_school


def test_import_prints_counts_then_reimport_of_the_export_reports_no_change(
    tmp_path: Path,
) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'j.db'}", "DEFAULT_LOCALE": "en"}
    first = journal("import", str(write_school(tmp_path / "in")), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "students: 3 added, 0 changed, 0 deleted, 0 unchanged" in first.stdout

    exported = journal("export", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out" / "marks.csv").exists()

    again = journal("import", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert " added" in again.stdout
    assert all(
        ", 0 changed, 0 deleted," in line and line.split(": ")[1].startswith("0 added")
        for line in again.stdout.splitlines()
        if " added, " in line
    )


def test_a_bad_import_names_file_line_and_column_in_russian_and_english(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'j.db'}"}
    assert (
        journal("import", str(write_school(tmp_path / "in")), env=env, cwd=tmp_path).returncode == 0
    )
    bad = tmp_path / "marks.csv"
    bad.write_text("id,student,subject,date,value\nM9,S1,ALG,31.02.2025,7\n", encoding="utf-8")

    russian = journal("import", str(bad), "--lang", "ru", env=env, cwd=tmp_path)
    assert russian.returncode == 1
    assert "marks.csv:2: date: нет такой даты: '31.02.2025'" in russian.stderr
    assert "marks.csv:2: value: отметка 7 вне шкалы 1–5" in russian.stderr

    english = journal("import", str(bad), "--lang", "en", env=env, cwd=tmp_path)
    assert english.returncode == 1
    assert "marks.csv:2: date: there is no such date as '31.02.2025'" in english.stderr
    assert "nothing was imported" in english.stderr


def test_dry_run_says_so_and_leaves_the_database_empty(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'j.db'}", "DEFAULT_LOCALE": "en"}
    dry = journal("import", str(write_school(tmp_path / "in")), "--dry-run", env=env, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was changed" in dry.stdout
    second = journal("import", str(tmp_path / "in"), env=env, cwd=tmp_path)
    assert "students: 3 added" in second.stdout  # the dry run wrote nothing
