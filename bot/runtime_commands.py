"""`journal run` and `journal console`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot import logs
from bot.settings import Settings
from core import migrate


def add_commands(commands: Any) -> None:
    run = commands.add_parser(
        "run", help="migrate and start the bot (the console chat when no bot token is set)"
    )
    run.set_defaults(handler=run_bot)
    console = commands.add_parser(
        "console", help="chat with the bot in this terminal as a person of the (demo) school"
    )
    console.add_argument(
        "--as",
        dest="person",
        metavar="PERSON",
        help="the school's id of a guardian, student or staff",
    )
    console.set_defaults(handler=run_console)
    notifier = commands.add_parser(
        "notifier",
        help="only send pushes and run the scheduled jobs (when `journal run` has "
        "RUN_NOTIFIER=false, or to add senders)",
    )
    notifier.set_defaults(handler=run_notifier)


def run_bot(_args: argparse.Namespace, settings: Settings) -> int:
    if not settings.any_bot:
        log_to_file(settings)  # before the migrations: their lines too
    migrate.upgrade(settings.database_url)
    if not settings.any_bot:
        print(
            "Neither BOT_TOKEN, SCHOOL_BOTS nor MAX_BOT_TOKEN is set: "
            "opening the local console chat with the demo school."
        )
        return _console(settings, None)
    from bot import runtime  # aiogram's client is only needed here
    from bot.school_bots import UnknownSchoolError

    try:
        asyncio.run(runtime.run(settings))
    except UnknownSchoolError as error:
        print(f"journal: {error}", file=sys.stderr)
        return 2
    return 0


def run_notifier(_args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url)
    if not settings.any_bot:
        print(
            "BOT_TOKEN, SCHOOL_BOTS or MAX_BOT_TOKEN is required: the notifier sends through them."
        )
        return 2
    from bot import runtime
    from bot.school_bots import UnknownSchoolError

    try:
        asyncio.run(runtime.run_notifier(settings))
    except UnknownSchoolError as error:
        print(f"journal: {error}", file=sys.stderr)
        return 2
    return 0


def run_console(args: argparse.Namespace, settings: Settings) -> int:
    log_to_file(settings)
    migrate.upgrade(settings.database_url)
    return _console(settings, args.person)


def _console(settings: Settings, person: str | None) -> int:
    from bot.console.main import run_console as console

    try:
        return asyncio.run(console(settings, person))
    except KeyboardInterrupt:
        return 0


def log_to_file(settings: Settings) -> None:
    """The console chat's terminal is the conversation: the log goes to LOG_FILE, and only
    warnings and errors show on the screen (bot/logs.py)."""
    logs.configure(settings.log_level, settings.log_format, file=settings.log_file)
