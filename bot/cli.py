"""The `journal` command: one entry point whose subcommands operate the whole product."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from bot import (
    access_commands,
    backup_commands,
    exchange_commands,
    invite_commands,
    logs,
    messages_commands,
    privacy_commands,
    report_commands,
    runtime_commands,
    staff_commands,
)
from bot.settings import Settings, SettingsError, load_settings
from core import migrate

Command = Callable[[argparse.Namespace, Settings], int]


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrate.upgrade(settings.database_url, args.revision)
    return 0


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrate.downgrade(settings.database_url, args.revision)
    return 0


def _db_current(_args: argparse.Namespace, settings: Settings) -> int:
    migrate.current(settings.database_url)
    return 0


def _db_revision(args: argparse.Namespace, settings: Settings) -> int:
    migrate.revision(settings.database_url, args.message, autogenerate=not args.empty)
    return 0


def _health(_args: argparse.Namespace, settings: Settings) -> int:
    problem = asyncio.run(migrate.database_problem(settings.database_url))
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    print("ok")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="journal", description="School journal bot")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = db_commands.add_parser("upgrade", help="migrate the schema up (to head by default)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=_db_upgrade)
    down = db_commands.add_parser("downgrade", help="migrate the schema down (to base by default)")
    down.add_argument("revision", nargs="?", default="base")
    down.set_defaults(handler=_db_downgrade)
    db_commands.add_parser("current", help="print the current revision").set_defaults(
        handler=_db_current
    )
    rev = db_commands.add_parser("revision", help="write a new revision from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--empty", action="store_true", help="do not autogenerate")
    rev.set_defaults(handler=_db_revision)

    runtime_commands.add_commands(commands)

    exchange_commands.add_commands(commands)
    invite_commands.add_commands(commands)
    access_commands.add_commands(commands)
    staff_commands.add_commands(commands)
    messages_commands.add_commands(commands)
    report_commands.add_commands(commands)
    privacy_commands.add_commands(commands)
    backup_commands.add_commands(commands)

    health = commands.add_parser(
        "health", help="exit 0 when the database is reachable and migrated"
    )
    health.set_defaults(handler=_health)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"journal: {exc}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    handler: Command = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
