"""`journal report`: a school report as the files an administration files (docs/reports.md).

``journal report (--term N | --year | --from DATE --to DATE) --by class|parallel|subject|
teacher|school [--class 7А] [--grade 7] [--subject NAME] [--teacher ID] [--format xlsx|csv|pdf]
[--out DIR]`` writes a class's report (by marks, by pupils, attendance), a teacher's analysis
(by marks over their load and their journal keeping, :mod:`core.reports.teacher`) or a report
by marks over a parallel, a subject or the school; ``journal report movement
--from DATE --to DATE`` the student movement (§13.4). It reads as the operator
(``Reader.operator("cli")``); every pupil covered is audited, and the files are written before
the audit records are committed. A wrong class, subject, teacher or date is one line on
stderr, exit code 2. The files' headings are Russian: the administration files them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.command_support import CommandError, Gettext, person_id, run_in_session
from bot.exchange_commands import date_argument
from bot.settings import Settings
from core.clock import SystemClock, school_today
from core.i18n import N_
from core.linking.targets import resolve_school
from core.models import Staff
from core.reader import Reader
from core.reports import files
from core.reports.attendance import class_attendance
from core.reports.by_marks import by_marks, parallel_classes, school_classes
from core.reports.by_pupils import by_pupils
from core.reports.keeping import NoClassesError
from core.reports.period import PeriodNotFoundError, ReportPeriod
from core.reports.scope import ScopeError, class_named, subject_named, year_on
from core.reports.teacher import teacher_report
from core.services.movement import movement_report

DEFAULT_OUT = Path("reports")
BY = ("class", "parallel", "subject", "teacher", "school")
MISSING = {  # core.reports.scope.ScopeError.what → the operator's line
    "class": N_("there is no class {value} in this school"),
    "subject": N_("there is no subject {value} in this school"),
    "grade": N_("there is no grade {value} in this school"),
    "academic year": N_("the school has no academic year on {value}"),
}


def add_commands(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="a school report as XLSX or CSV files (or: report movement --from --to)",
        description="A report by marks, by pupils and attendance; `journal report movement "
        "--from DATE --to DATE` writes the student movement.",
    )
    report.add_argument("what", nargs="?", choices=("movement",), help="movement: §13.4")
    period = report.add_mutually_exclusive_group()
    period.add_argument("--term", type=int, metavar="N", help="the term by number (1-4)")
    period.add_argument("--year", action="store_true", help="the academic year")
    period.add_argument("--from", dest="start", type=date_argument, metavar="DATE")
    report.add_argument("--to", dest="end", type=date_argument, metavar="DATE")
    report.add_argument("--by", choices=BY, help="what the report is about")
    report.add_argument("--class", dest="class_name", metavar="NAME", help="a class: 7А")
    report.add_argument("--grade", type=int, metavar="N", help="a parallel: 7")
    report.add_argument("--subject", metavar="NAME", help="a subject by its name")
    report.add_argument("--teacher", metavar="ID", help="the school's id, or #<db id>")
    report.add_argument("--format", choices=("xlsx", "csv", "pdf"), default="xlsx")
    report.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="default: ./reports"
    )
    report.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    report.set_defaults(handler=_report)


def _period(args: argparse.Namespace) -> ReportPeriod:
    if args.start is not None or args.end is not None:
        if args.start is None or args.end is None:
            raise CommandError(N_("give both --from and --to"))
        if args.start > args.end:
            raise CommandError(
                N_("--from {start} is after --to {end}"), start=args.start, end=args.end
            )
        return ReportPeriod.range(args.start, args.end)
    if args.year:
        return ReportPeriod.year()
    if args.term is not None:
        if args.term < 1:
            raise CommandError(N_("a term number starts at 1"))
        return ReportPeriod.term(args.term)
    raise CommandError(N_("give --term N, --year, or --from DATE --to DATE"))


def _report(args: argparse.Namespace, settings: Settings) -> int:
    today = school_today(SystemClock(), settings.timezone)
    written: list[Path] = []

    async def work(session: AsyncSession, _gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        try:
            if args.what == "movement":
                document = await _movement(session, args, school_id)
            else:
                document = await _document(session, args, school_id, today)
        except ScopeError as missing:
            raise CommandError(MISSING[missing.what], value=missing.value) from None
        except PeriodNotFoundError:
            raise CommandError(N_("the school has no such term: {term}"), term=args.term) from None
        if args.format == "csv":
            content = files.to_csv(document)
        elif args.format == "pdf":
            printed = files.to_pdf(document)
            if printed is None:
                raise CommandError(N_("this report has no PDF version: use --format xlsx or csv"))
            content = {f"{document.stem}.pdf": printed}
        else:
            content = {f"{document.stem}.xlsx": files.to_xlsx(document)}
        # Written before the commit: a directory that cannot be written leaves no audit record.
        written.extend(write_files(args.out.resolve(), content))

    code = run_in_session(settings, work)
    if code == 0:
        for path in written:
            print(path)
    return code


async def _movement(
    session: AsyncSession, args: argparse.Namespace, school_id: int
) -> files.Document:
    if args.start is None or args.end is None:
        raise CommandError(N_("journal report movement needs --from DATE --to DATE"))
    if args.start > args.end:
        raise CommandError(N_("--from {start} is after --to {end}"), start=args.start, end=args.end)
    found = await movement_report(session, Reader.operator("cli"), school_id, args.start, args.end)
    return files.movement_document(found)


async def _document(
    session: AsyncSession, args: argparse.Namespace, school_id: int, today: date
) -> files.Document:
    if args.by is None:
        raise CommandError(N_("give --by class, parallel, subject, teacher or school"))
    period = _period(args)
    reader = Reader.operator("cli")
    year = await year_on(session, school_id, period.ends_on or today)
    suffix = _suffix(period)
    if args.by == "class":
        if args.class_name is None:
            raise CommandError(N_("--by class needs --class NAME"))
        class_id = await class_named(session, school_id, year, args.class_name)
        marks = await by_marks(session, [class_id], period, reader, on=today)
        pupils = await by_pupils(session, class_id, period, reader, on=today)
        attendance = await class_attendance(session, class_id, period, reader, on=today)
        return files.class_document(
            marks, pupils, attendance, stem=f"отчёт-{pupils.class_name}-{suffix}"
        )
    subjects: frozenset[int] | None = None
    if args.by == "parallel":
        if args.grade is None:
            raise CommandError(N_("--by parallel needs --grade N"))
        classes = await parallel_classes(session, year, args.grade)
        about, stem = f"{args.grade}-е классы", f"параллель-{args.grade}"
    elif args.by == "subject":
        if args.subject is None:
            raise CommandError(N_("--by subject needs --subject NAME"))
        subjects = frozenset({await subject_named(session, school_id, args.subject)})
        if args.class_name is not None:
            classes = [await class_named(session, school_id, year, args.class_name)]
        elif args.grade is not None:
            classes = await parallel_classes(session, year, args.grade)
        else:
            classes = await school_classes(session, year)
        about, stem = f"предмет «{args.subject}»", f"предмет-{args.subject}"
    elif args.by == "teacher":
        if args.teacher is None:
            raise CommandError(N_("--by teacher needs --teacher ID"))
        staff_id = await person_id(
            session, Staff, school_id, args.teacher, N_("there is no staff member with id {key}")
        )
        try:
            found = await teacher_report(session, reader, staff_id, period, on=today)
        except NoClassesError:
            raise CommandError(N_("no classes to report on")) from None
        return found.document(stem=f"учитель-{args.teacher.lstrip('#')}-{suffix}")
    else:
        classes = await school_classes(session, year)
        about, stem = "школа", "школа"
    if not classes:
        raise CommandError(N_("no classes to report on"))
    marks = await by_marks(session, classes, period, reader, on=today, subject_ids=subjects)
    return files.marks_document(marks, about, stem=f"{stem}-{suffix}")


def _suffix(period: ReportPeriod) -> str:
    if period.term_number is not None:
        return f"период{period.term_number}"
    if period.starts_on is not None and period.ends_on is not None:
        return f"{period.starts_on:%Y%m%d}-{period.ends_on:%Y%m%d}"
    return "год"


def write_files(directory: Path, content: Mapping[str, bytes]) -> list[Path]:
    """Each file replaced whole (never half-written), readable by its owner only: the files
    name pupils and their marks."""
    written = []
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, data in content.items():
            safe = name.replace("/", "-").replace(os.sep, "-")
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{safe}.")
            try:
                with os.fdopen(descriptor, "wb") as out:
                    out.write(data)
                os.replace(temporary, directory / safe)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
            written.append(directory / safe)
    except OSError as failed:
        raise CommandError(
            N_("cannot write {directory}: {reason}"),
            directory=directory,
            reason=failed.strerror or type(failed).__name__,
        ) from None
    return written
