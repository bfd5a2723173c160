"""Logging of every ``journal`` command: text (the default) or one JSON object a line
(``LOG_FORMAT=json``), and the console chat's log in a file (``LOG_FILE``) so that it does not
interleave with the conversation; warnings and errors still show on the screen there.

Personal data stays out, whatever the format:
- an exception is logged as its type and traceback frames, never its message (a driver's or a
  validator's message may quote a name, a phone or a code: handlers/errors.py does the same);
- aiogram's own "exception while processing an update" lines lose the exception's text;
- LOG_LEVEL=DEBUG and INFO are for the journal's own loggers and aiogram's: SQLAlchemy and the
  database drivers, which log statements with their parameters, stay at WARNING.
A log line inside an update carries its id (``update_id``) in both formats.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, TextIO

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Structured fields the JSON line carries when a log call gives them (``extra=``).
FIELDS = ("update_id", "update_type", "handler", "outcome", "duration_ms", "messenger")
# Loggers that print SQL statements and their parameters (people's data) below WARNING.
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy")
_OURS = "journal_handler"  # marks the handlers configure() installed

_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "journal_update_id", default=None
)


@contextlib.contextmanager
def update_context(update_id: int) -> Iterator[None]:
    """Every line logged while an update is handled carries its id."""
    token = _update_id.set(update_id)
    try:
        yield
    finally:
        _update_id.reset(token)


class _UpdateIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = _update_id.get()
        return True


class _AiogramRedaction(logging.Filter):
    """aiogram logs ``"... update id=%d by bot id=%d\\n%s: %s"`` with the exception itself as
    the last argument, and ``"Failed to make answer: %s: %s"`` likewise: keep its type only."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args and isinstance(args[-1], BaseException):
            record.args = (*args[:-1], type(args[-1]).__name__)
        return True


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def safe_exception(exc_info: ExcInfo) -> str:
    """The exception's type and frames, without its message."""
    kind, _value, tb = exc_info
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    name = kind.__name__ if kind is not None else "Exception"
    return f"Traceback (most recent call last):\n{frames}{name}"


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        return safe_exception(ei)

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the rendered exception on the record: another handler's rendering
        # (with the message) must not be reused here.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the structured
    fields given, and an exception's type and frames."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exception"] = record.exc_info[0].__name__
            line["traceback"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(fmt: LogFormat) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """To whatever ``sys.stderr`` is when a line is written (as logging's last resort does)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(
    level: str = "INFO",
    fmt: LogFormat = "text",
    *,
    stream: TextIO | None = None,
    file: Path | None = None,
    force: bool = False,
) -> bool:
    """Set the root logger up: everything to ``stream`` (stderr by default); or, with ``file``,
    everything to the file and only warnings and errors to ``stream``. Replaces what an earlier
    call set up; leaves logging alone (and says False) when somebody else's handlers are there
    already (a test runner, an application embedding the CLI), as ``logging.basicConfig`` does,
    unless ``force``."""
    root = logging.getLogger()
    foreign = [h for h in root.handlers if not getattr(h, _OURS, False)]
    if foreign and not force:
        return False
    for old in list(root.handlers):
        if force or getattr(old, _OURS, False):
            root.removeHandler(old)
            old.close()
    update_ids = _UpdateIdFilter()
    screen: logging.Handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    screen.setFormatter(formatter(fmt))
    screen.addFilter(update_ids)
    if file is not None:
        screen.setLevel(logging.WARNING)
        to_file = logging.FileHandler(file, encoding="utf-8")
        to_file.setFormatter(formatter(fmt))
        to_file.addFilter(update_ids)
        setattr(to_file, _OURS, True)
        root.addHandler(to_file)
    setattr(screen, _OURS, True)
    root.addHandler(screen)
    root.setLevel(level)
    numeric = logging.getLevelName(level)
    for name in QUIET_LOGGERS:
        # WARNING, not INFO: SQLAlchemy's engine logs every statement once its logger is
        # enabled for INFO (its own default is WARNING; a level set here replaces it).
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # bot/middlewares/observe.py logs each update with its handler; aiogram's own line about
    # the same update says less. Its errors still show.
    event = logging.getLogger("aiogram.event")
    event.setLevel(max(numeric, logging.WARNING))
    for name in ("aiogram.event", "aiogram.dispatcher"):
        redaction = logging.getLogger(name)
        if not any(isinstance(f, _AiogramRedaction) for f in redaction.filters):
            redaction.addFilter(_AiogramRedaction())
    return True
