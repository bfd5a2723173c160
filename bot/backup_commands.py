"""`journal backup DIR` and `journal restore FILE` (docs/operations.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings
from core.backup import BackupError, restore, take_backup
from core.clock import SystemClock
from core.i18n import N_, gettext_for


def add_commands(commands: Any) -> None:
    backup = commands.add_parser(
        "backup", help="write a backup of the database into DIR (safe while the bot runs)"
    )
    backup.add_argument("directory", type=Path)
    backup.set_defaults(handler=_backup)

    restore_command = commands.add_parser(
        "restore", help="restore a backup into an empty database, then migrate it"
    )
    restore_command.add_argument("file", type=Path)
    restore_command.set_defaults(handler=_restore)


def _refuse(settings: Settings, error: BackupError) -> int:
    gettext = gettext_for(settings.default_locale)
    sys.stderr.write(f"journal: {gettext(error.message).format(**error.params)}\n")
    return error.exit_code


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        path = asyncio.run(
            take_backup(settings.database_url, args.directory, now=SystemClock().now())
        )
    except BackupError as error:
        return _refuse(settings, error)
    # The path alone on stdout, for scripts (`file=$(journal backup /var/backups/journal)`).
    sys.stdout.write(f"{path}\n")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    gettext = gettext_for(settings.default_locale)
    try:
        restored = asyncio.run(restore(settings.database_url, args.file))
    except BackupError as error:
        return _refuse(settings, error)
    done = gettext(N_("restored {file}: schema {backup_revision}, migrated to {revision}"))
    sys.stdout.write(
        done.format(
            file=args.file,
            backup_revision=restored.backup_revision or "-",
            revision=restored.revision or "-",
        )
        + "\n"
    )
    return 0
