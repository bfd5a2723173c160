"""`journal import`, `journal export` and `journal demo`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.settings import Settings
from core import migrate
from core.clock import SystemClock, school_today
from core.db import create_engine, create_sessionmaker
from core.exchange import service
from core.exchange.importer import ImportReport
from core.exchange.problems import ImportFailed
from core.exchange.values import BadValue, parse_date
from core.i18n import N_, gettext_for

if TYPE_CHECKING:
    from core.demo.copies import CopyReport


def date_argument(text: str) -> date:
    try:
        return parse_date(text)
    except BadValue as bad:
        raise argparse.ArgumentTypeError(bad.message.format(**bad.params)) from None


def add_commands(commands: Any) -> None:
    imp = commands.add_parser("import", help="load exchange files (CSV directory or XLSX)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    imp.add_argument("--lang", choices=("ru", "en"), help="language of the report")
    imp.add_argument(
        "--silent-before",
        type=date_argument,
        help="record events about earlier days without pushing them (default: today)",
    )
    imp.set_defaults(handler=_import)

    exp = commands.add_parser("export", help="write the journal as exchange files")
    exp.add_argument("directory", type=Path, nargs="?", help="one CSV per table in DIR")
    exp.add_argument("--xlsx", type=Path, help="one workbook instead of (or besides) CSVs")
    exp.set_defaults(handler=_export)

    demo = commands.add_parser("demo", help="load a deterministic demo gymnasium")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--students", type=int, help="about this many students (default ~700)")
    demo.add_argument(
        "--today", type=date_argument, help="the demo's today (default: the school's)"
    )
    demo.add_argument(
        "--schools",
        type=int,
        default=1,
        help="copy the school until there are this many (a region for benchmarks; default 1)",
    )
    demo.set_defaults(handler=_demo)


def print_report(report: ImportReport, gettext: Any) -> None:
    for table, counts in report.counts:
        print(
            gettext(
                N_(
                    "{table}: {added} added, {changed} changed, {deleted} deleted, "
                    "{unchanged} unchanged"
                )
            ).format(
                table=table,
                added=counts.added,
                changed=counts.changed,
                deleted=counts.deleted,
                unchanged=counts.unchanged,
            )
        )
    for warning in report.warnings:
        print(warning.render(gettext), file=sys.stderr)
    print(
        gettext(N_("{events} events for families, {silent} recorded silently as history")).format(
            events=report.events, silent=report.silent_events
        )
    )
    if report.dry_run:
        print(gettext(N_("dry run: nothing was changed")))


async def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    gettext = gettext_for(args.lang or settings.default_locale)
    engine = create_engine(settings.database_url)
    clock = SystemClock()
    try:
        report = await service.import_path(
            create_sessionmaker(engine),
            args.path,
            now=clock.now(),
            today=school_today(clock, settings.timezone),
            silent_before=args.silent_before,
            dry_run=args.dry_run,
        )
    except ImportFailed as failed:
        for problem in failed.problems:
            print(problem.render(gettext), file=sys.stderr)
        print(gettext(N_("nothing was imported")), file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print_report(report, gettext)
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    return asyncio.run(_run_import(args, settings))


def _export(args: argparse.Namespace, settings: Settings) -> int:
    if args.directory is None and args.xlsx is None:
        print("journal export: give a directory, --xlsx FILE, or both", file=sys.stderr)
        return 2

    async def run() -> list[Path]:
        engine = create_engine(settings.database_url)
        try:
            return await service.export_path(create_sessionmaker(engine), args.directory, args.xlsx)
        finally:
            await engine.dispose()

    for path in asyncio.run(run()):
        print(path)
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from core.demo import generate
    from core.demo.copies import NotOneSchoolError, copy_school

    migrate.upgrade(settings.database_url)
    clock = SystemClock()
    today = args.today or school_today(clock, settings.timezone)
    tables = generate(seed=args.seed, students=args.students, today=today)
    gettext = gettext_for(settings.default_locale)

    async def run() -> tuple[ImportReport, CopyReport | None]:
        engine = create_engine(settings.database_url)
        try:
            report = await service.import_rows(
                create_sessionmaker(engine), tables, now=clock.now(), today=today
            )
            copied = await copy_school(engine, args.schools - 1) if args.schools > 1 else None
            return report, copied
        finally:
            await engine.dispose()

    try:
        report, copied = asyncio.run(run())
    except NotOneSchoolError:
        print(
            gettext(N_("--schools copies the demo school into a database that holds only it")),
            file=sys.stderr,
        )
        return 2
    print_report(report, gettext)
    if copied is not None:
        print(
            gettext(N_("{copies} copies of the school: {rows} rows in {seconds} s")).format(
                copies=copied.copies, rows=copied.rows, seconds=round(copied.seconds, 1)
            )
        )
    return 0
