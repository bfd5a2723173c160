"""The console chat's terminal is the conversation: its log goes to a file (LOG_FILE,
``journal.log`` by default), and only warnings and errors show on the screen."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import logs
from bot.runtime_commands import log_to_file
from bot.settings import Settings
from tests.bot.conftest import sessions
from tests.cli_kit import journal_forked

__all__ = ["sessions"]

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) ")


def test_console_logs_go_to_the_file_not_between_the_lines_of_the_chat(
    db_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    result = journal_forked(
        "console",
        "--as",
        "G1",
        env={"DATABASE_URL": db_url},
        cwd=tmp_path,
        stdin=":code\n1\n/help\n:quit\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Ольга Иванова" in result.stdout  # the conversation is on the screen
    assert "[1] Я согласен" in result.stdout
    assert not [line for line in result.stdout.splitlines() if LOG_LINE.match(line)]
    assert "bot.updates" not in result.stdout + result.stderr
    assert not [line for line in result.stderr.splitlines() if " INFO " in line]
    written = (tmp_path / "journal.log").read_text(encoding="utf-8")
    updates = [line for line in written.splitlines() if " INFO bot.updates: update " in line]
    assert len(updates) >= 3, written  # the code's link, the consent, /help
    assert "handled by handlers." in updates[0]


def test_log_file_names_the_file_and_json_applies_there_too(tmp_path: Path) -> None:
    """What `journal console` sets up (in-process: the process above showed the default)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    target = tmp_path / "chat.log"
    try:
        for handler in list(root.handlers):  # as in a fresh process: nobody else's handlers
            root.removeHandler(handler)
        log_to_file(Settings(log_file=target, log_format="json"))
        logging.getLogger("bot.updates").info("update 1 message: handled", extra={"update_id": 1})
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
    [line] = [json.loads(text) for text in target.read_text(encoding="utf-8").splitlines()]
    assert line["logger"] == "bot.updates"
    assert line["update_id"] == 1


def test_warnings_and_errors_still_show_on_the_screen(tmp_path: Path) -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    screen = io.StringIO()
    try:
        assert logs.configure("INFO", "text", stream=screen, file=tmp_path / "j.log", force=True)
        log = logging.getLogger("bot.test")
        log.info("a quiet line")
        log.warning("the outbox listener lost its connection")
        log.error("a failure")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
    shown = screen.getvalue()
    assert "a quiet line" not in shown
    assert "WARNING bot.test: the outbox listener lost its connection" in shown
    assert "ERROR bot.test: a failure" in shown
    kept = (tmp_path / "j.log").read_text(encoding="utf-8")
    assert "a quiet line" in kept
    assert "a failure" in kept
