"""`journal messages inbox` and `journal messages export`: the journal's mail for the operator.

``inbox`` prints a staff member's questions from families for someone who does not use the
bot; ``export`` writes the school's record of the mail: ``threads.csv``, ``messages.csv`` and
``threads.html`` in ``--out`` (default ``./messages-export``, created for its owner only; the
three files there are replaced whole, so the newest export is the one on disk). Both commands
audit every thread they show (``core.messaging.export``), and nothing is printed or kept
unless the audit records are committed. A wrong id is one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.command_support import CommandError, Gettext, person_id, run_in_session
from bot.exchange_commands import date_argument
from bot.settings import Settings
from core.clock import SystemClock
from core.i18n import N_
from core.linking.targets import resolve_school
from core.messaging.export import (
    export_files,
    export_threads,
    inbox_text,
    message_count,
    staff_inbox,
)
from core.models import Staff
from core.reader import Reader

DEFAULT_OUT = Path("messages-export")


def _thread_number(text: str) -> int:
    """A thread as the bot and the inbox show it: ``12`` or ``#12``."""
    digits = text.removeprefix("#")
    if not digits.isdigit() or int(digits) < 1:
        raise argparse.ArgumentTypeError("use a thread number such as 12 or #12")
    return int(digits)


def add_commands(commands: Any) -> None:
    messages = commands.add_parser("messages", help="the journal's mail between families and staff")
    actions = messages.add_subparsers(dest="messages_command", required=True, metavar="ACTION")

    inbox = actions.add_parser(
        "inbox", help="a staff member's threads not closed, newest first, with every message"
    )
    inbox.add_argument("--staff", required=True, metavar="ID", help="the school's id, or #<db id>")
    inbox.add_argument(
        "--all", dest="include_closed", action="store_true", help="closed threads too"
    )
    inbox.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    inbox.set_defaults(handler=_inbox)

    export = actions.add_parser(
        "export", help="threads.csv, messages.csv and threads.html for the school's records"
    )
    which = export.add_mutually_exclusive_group()
    which.add_argument("--thread", type=_thread_number, metavar="N", help="only thread N")
    which.add_argument(
        "--since",
        type=date_argument,
        metavar="DATE",
        help="threads whose last message is on or after this school date (2026-12-01)",
    )
    export.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="directory (default: ./messages-export); its three files are replaced",
    )
    export.add_argument("--school", metavar="ID", help="the school's id (several in one DB)")
    export.set_defaults(handler=_export)


def _inbox(args: argparse.Namespace, settings: Settings) -> int:
    now = SystemClock().now()
    shown: list[str] = []

    async def work(session: AsyncSession, gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        staff_id = await person_id(
            session, Staff, school_id, args.staff, N_("there is no staff member with id {key}")
        )
        threads = await staff_inbox(
            session,
            Reader.operator("cli"),
            school_id=school_id,
            staff_id=staff_id,
            include_closed=args.include_closed,
            now=now,
        )
        shown.append(inbox_text(threads, settings.timezone, gettext))

    code = run_in_session(settings, work)
    if code == 0:  # shown only once its reads are on record
        print("".join(shown), end="")
    return code


def _export(args: argparse.Namespace, settings: Settings) -> int:
    summary: list[str] = []

    async def work(session: AsyncSession, gettext: Gettext) -> None:
        school_id = await resolve_school(session, args.school)
        threads = await export_threads(
            session,
            Reader.operator("cli"),
            school_id=school_id,
            timezone=settings.timezone,
            thread_id=args.thread,
            since=args.since,
        )
        if args.thread is not None and not threads:
            raise CommandError(N_("there is no thread #{thread}"), thread=args.thread)
        directory = args.out.resolve()
        # Written before the commit: a directory that cannot be written leaves no audit record.
        write_files(directory, export_files(threads, settings.timezone, gettext))
        summary.append(
            gettext(N_("exported threads: {threads}, messages: {messages}, to {directory}")).format(
                threads=len(threads), messages=message_count(threads), directory=directory
            )
        )

    code = run_in_session(settings, work)
    if code == 0:
        print("".join(summary))
    return code


def write_files(directory: Path, files: Mapping[str, str]) -> None:
    """Each file replaced whole (never half-written), readable by its owner only: the files
    hold families' correspondence."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, text in files.items():
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
                os.replace(temporary, directory / name)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
    except OSError as failed:
        raise CommandError(
            N_("cannot write {directory}: {reason}"),
            directory=directory,
            reason=failed.strerror or type(failed).__name__,
        ) from None
