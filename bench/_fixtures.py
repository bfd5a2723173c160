"""What the query and throughput benchmarks share: the demo school in a database, a linked family,
the real dispatcher with a recording Bot API session, statement capture, percentiles, results.

Settings (environment):

- ``JOURNAL_BENCH_STUDENTS``: the demo school's size (default 2,800 students, about 10^5 marks);
- ``JOURNAL_BENCH_SCHOOLS``: that many schools (default 1): the imported school is copied in SQL
  (``core.demo.copies``) into a region of schools, each its own 10^5 marks; 96 make 10^7;
- ``JOURNAL_BENCH_BACKENDS``: ``sqlite,postgresql`` by default; PostgreSQL is skipped with a
  line when its binaries are missing;
- ``JOURNAL_BENCH_PG_URL``: a PostgreSQL server to use instead of a throwaway one
  (``postgresql://user@host:port/postgres``): the benchmarks create their databases there
  (``CREATE DATABASE``) and drop them at the end.

The demo school is built once per process, backend and size (``journal demo`` through the real
importer) and each benchmark gets a fresh copy of it (a file copy on SQLite, ``CREATE DATABASE
... TEMPLATE`` on PostgreSQL), so ``make bench`` pays the import once for both modules.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import itertools
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from aiogram.types import Update
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import BotConfig, create_dispatcher
from bot.console.session import LocalSession, Outgoing
from core import migrate
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker, is_sqlite
from core.demo import generate
from core.demo.copies import copy_school
from core.exchange import service
from core.linking.accounts import load_account
from core.linking.invites import issue_invites
from core.models import Guardian, GuardianLink, Mark, School, SchoolClass, Student
from core.models.enums import Messenger, Role
from handlers.callbacks import ConsentAnswer

# The demo's Monday 30.11.2026 at 10:00 school time: the second quarter under way, changes for
# today and tomorrow in the timetable (bench/reports.py uses the same day).
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
TIMEZONE = ZoneInfo("Asia/Yekaterinburg")
DEFAULT_STUDENTS = 2800  # about 104,000 marks on TODAY
RESULTS = Path(__file__).resolve().parent / "results"
BOT_TOKEN = "42:bench-token-for-the-recording-session"  # noqa: S105 - not a secret


class BackendUnavailableError(RuntimeError):
    """The backend cannot be used on this machine (the reason is the message)."""


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def bench_students() -> int:
    return env_int("JOURNAL_BENCH_STUDENTS", DEFAULT_STUDENTS)


def bench_schools() -> int:
    return max(1, env_int("JOURNAL_BENCH_SCHOOLS", 1))


def bench_backends() -> list[str]:
    names = os.environ.get("JOURNAL_BENCH_BACKENDS", "sqlite,postgresql")
    return [name.strip() for name in names.split(",") if name.strip()]


def backend_of(url: str) -> str:
    return "sqlite" if is_sqlite(url) else "postgresql"


# --- the demo school -------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    """A database holding the demo school (and ``schools - 1`` copies of it)."""

    url: str
    backend: str
    students: int  # in each school
    marks: int  # in the whole database
    import_seconds: float
    schools: int = 1
    copy_seconds: float = 0.0  # making the copies, after the import

    @property
    def size(self) -> str:
        """The size in result file names: ``2800``, or ``2800x96`` for 96 schools."""
        return str(self.students) if self.schools == 1 else f"{self.students}x{self.schools}"


async def load_demo(url: str, students: int, schools: int = 1) -> Demo:
    """Migrate ``url`` and import the demo school of about ``students`` students into it, then
    copy it until there are ``schools`` of them."""
    await asyncio.to_thread(migrate.upgrade, url)
    tables = generate(seed=1, students=students, today=TODAY)
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await service.import_rows(create_sessionmaker(engine), tables, now=NOW, today=TODAY)
        elapsed = time.perf_counter() - started
        copied = await copy_school(engine, schools - 1)
        async with engine.connect() as connection:
            marks = int((await connection.execute(select(func.count()).select_from(Mark))).one()[0])
        if not is_sqlite(url):
            # What autovacuum does soon after an import anyway: the planner's statistics.
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    students = len(tables["students"])
    return Demo(url, backend_of(url), students, marks, elapsed, schools, copied.seconds)


class _Databases:
    """Fresh databases per backend for this process; cleaned up when the process exits."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._folder: Path | None = None
        self._pg_admin: str | None = None  # a DSN asyncpg connects to for CREATE DATABASE
        self._pg_base: str | None = None  # the SQLAlchemy URL of any database there, to vary
        self._pg_created: list[str] = []
        self._pg_drop = False
        self._demos: dict[tuple[str, int, int], Demo] = {}
        self._numbers = itertools.count(1)
        atexit.register(self.close)

    def folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="journal-bench-"))
        return self._folder

    def close(self) -> None:
        if self._pg_drop and self._pg_admin and self._pg_created:
            with contextlib.suppress(Exception):
                asyncio.run(_pg_execute(self._pg_admin, *self._drops()))
        self._stack.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _drops(self) -> list[str]:
        return [f'DROP DATABASE IF EXISTS "{name}"' for name in reversed(self._pg_created)]

    def _postgres(self) -> tuple[str, str]:
        if self._pg_admin is None or self._pg_base is None:
            explicit = os.environ.get("JOURNAL_BENCH_PG_URL", "").strip()
            if explicit:
                url = make_url(explicit)
                self._pg_admin = url.set(drivername="postgresql").render_as_string(
                    hide_password=False
                )
                self._pg_base = url.set(drivername="postgresql+asyncpg").render_as_string(
                    hide_password=False
                )
                self._pg_drop = True
            else:
                from tests.postgres_server import PostgresUnavailableError, running_postgres

                try:
                    server = self._stack.enter_context(running_postgres())
                except PostgresUnavailableError as exc:
                    raise BackendUnavailableError(str(exc)) from exc
                self._pg_admin = server.dsn()
                self._pg_base = server.url("postgres")
        return self._pg_admin, self._pg_base

    async def _new_pg(self, template: str | None = None) -> str:
        admin, base = self._postgres()
        name = f"journal_bench_{os.getpid()}_{next(self._numbers)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        await _pg_execute(admin, f'CREATE DATABASE "{name}"{clause}')
        self._pg_created.append(name)
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    async def demo(self, backend: str, students: int, schools: int) -> Demo:
        """A fresh copy of the demo school of ``students`` (``schools`` times) on ``backend``."""
        key = (backend, students, schools)
        if key not in self._demos:
            if backend == "sqlite":
                url = f"sqlite+aiosqlite:///{self.folder() / f'demo-{students}x{schools}.db'}"
            elif backend == "postgresql":
                url = await self._new_pg()
            else:
                raise BackendUnavailableError(f"unknown backend {backend!r}")
            self._demos[key] = await load_demo(url, students, schools)
        template = self._demos[key]
        if backend == "sqlite":
            source = Path(make_url(template.url).database or "")
            target = self.folder() / f"copy-{next(self._numbers)}.db"
            shutil.copyfile(source, target)
            url = f"sqlite+aiosqlite:///{target}"
        else:
            url = await self._new_pg(template=make_url(template.url).database)
        return dataclasses.replace(template, url=url)


async def _pg_execute(dsn: str, *statements: str) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


_databases: _Databases | None = None


async def demo_database(backend: str, students: int, schools: int | None = None) -> Demo:
    """A fresh copy of the demo school (built once per process, backend and size)."""
    global _databases
    if _databases is None:
        _databases = _Databases()
    return await _databases.demo(backend, students, schools or bench_schools())


async def each_demo(
    demo: Demo | None, backends: Sequence[str], students: int
) -> AsyncIterator[Demo]:
    """``demo`` alone (the smoke tests), or a fresh copy of the demo school on each backend in
    turn; a backend that cannot run here is a printed line, not a failure."""
    if demo is not None:
        yield demo
        return
    for backend in backends:
        try:
            built = await demo_database(backend, students)
        except BackendUnavailableError as exc:
            print(f"{backend}: skipped ({exc})")
            continue
        yield built


# --- the family and the dispatcher -----------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """A guardian of one pupil of the demo school (grade 7 when there is one)."""

    guardian: str  # the guardian's id in the exchange (P00001)
    student: str  # the pupil's id in the exchange (S00001)
    student_id: int
    class_name: str
    school: str  # the school's id in the exchange (the imported one, not a copy)


async def families(sessions: async_sessionmaker[AsyncSession], count: int) -> list[Family]:
    """``count`` guardians with exactly one child each, taken from the 7th grade first (the
    nearest grade to it otherwise), in the order of the pupils' ids; of the imported school
    (its copies, if any, have the same people under the same ids)."""
    async with sessions() as session:
        school_id, school = (
            await session.execute(
                select(School.id, School.external_id).order_by(School.id).limit(1)
            )
        ).one()
        rows = (
            await session.execute(
                select(
                    Guardian.external_id,
                    Student.external_id,
                    Student.id,
                    SchoolClass.name,
                    SchoolClass.grade,
                )
                .join(GuardianLink, GuardianLink.guardian_id == Guardian.id)
                .join(Student, Student.id == GuardianLink.student_id)
                .join(SchoolClass, SchoolClass.id == Student.class_id)
                .where(Guardian.school_id == school_id)
                .order_by(func.abs(SchoolClass.grade - 7), Student.external_id)
            )
        ).all()
    by_guardian: dict[str, list[Any]] = {}
    for row in rows:
        by_guardian.setdefault(str(row[0]), []).append(row)
    found: list[Family] = []
    seen: set[str] = set()
    for row in rows:
        guardian, student = str(row[0]), str(row[1])
        if len(by_guardian[guardian]) != 1 or student in seen:
            continue
        seen.add(student)
        found.append(Family(guardian, student, int(row[2]), str(row[3]), str(school)))
        if len(found) == count:
            return found
    raise RuntimeError(f"the demo school has fewer than {count} single-child guardians")


class FailureLog(logging.Handler):
    """Counts the error handler's log lines: a failed update is answered with an apology, so
    only this tells a failure from an answer."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass
class Chat:
    """The production dispatcher (``bot.app.create_dispatcher``) fed Telegram-shaped updates,
    answered by a Bot whose session records each call (the console's ``LocalSession``).

    Updates are built already mounted on the bot, as aiogram's polling builds them; the
    per-user throttle is opened wide (it still runs) so that one family can ask many times.
    """

    sessions: async_sessionmaker[AsyncSession]
    files_dir: Path
    dp: Dispatcher = field(init=False)
    bot: Bot = field(init=False)
    recorder: LocalSession = field(init=False)
    failures: FailureLog = field(init=False)

    def __post_init__(self) -> None:
        config = BotConfig(
            timezone=TIMEZONE,
            throttle_rate=1e9,
            throttle_burst=10**9,
            files_dir=self.files_dir,
        )
        self.dp = create_dispatcher(config, self.sessions, FrozenClock(NOW))
        self.recorder = LocalSession()
        self.bot = Bot(
            token=BOT_TOKEN,
            session=self.recorder,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self.failures = FailureLog()
        logging.getLogger("handlers.errors").addHandler(self.failures)
        self._ids = itertools.count(1)

    def close(self) -> None:
        logging.getLogger("handlers.errors").removeHandler(self.failures)

    def _user(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": "Родитель", "language_code": "ru"}

    def text(self, user_id: int, text: str) -> Update:
        """A private message ``text`` from ``user_id`` (a command gets its entity)."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(NOW.timestamp()),
            "chat": {"id": user_id, "type": "private"},
            "from": self._user(user_id),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        data = {"update_id": next(self._ids), "message": message}
        return Update.model_validate(data, context={"bot": self.bot})

    def press(self, user_id: int, data: str) -> Update:
        """A press of an inline button carrying ``data`` under a message of the bot."""
        query = {
            "id": str(next(self._ids)),
            "from": self._user(user_id),
            "chat_instance": "bench",
            "data": data,
            "message": {
                "message_id": 1,
                "date": int(NOW.timestamp()),
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": 42, "is_bot": True, "first_name": "Школьный журнал"},
                "text": "…",
            },
        }
        update = {"update_id": next(self._ids), "callback_query": query}
        return Update.model_validate(update, context={"bot": self.bot})

    async def feed(self, update: Update) -> list[Outgoing]:
        before = len(self.recorder.calls)
        await self.dp.feed_update(self.bot, update)
        return self.recorder.calls[before:]

    def forget(self) -> None:
        """Drop the recorded calls (long runs)."""
        self.recorder.calls.clear()

    async def link(self, user_id: int, family: Family) -> None:
        """The guardian opens an invite link from the school and agrees to the notice (as the
        bot's tests link: ``tests/bot/helpers.py``); fails unless the child is then linked."""
        async with self.sessions() as session:
            issued = await issue_invites(
                session,
                now=NOW,
                today=TODAY,
                person=family.guardian,
                role=Role.GUARDIAN,
                ttl=timedelta(days=30),
                school=family.school,
            )
            await session.commit()
        await self.feed(self.text(user_id, f"/start {issued[0].code}"))
        await self.feed(self.press(user_id, ConsentAnswer(agree=True).pack()))
        async with self.sessions() as session:
            account = await load_account(session, Messenger.TELEGRAM, str(user_id), TODAY)
        if account is None or account.current_student_id != family.student_id:
            raise RuntimeError(f"could not link {family.guardian} to {family.student}")


# --- statements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any
    many: bool


@contextlib.contextmanager
def captured(engine: AsyncEngine) -> Iterator[list[Statement]]:
    """Every statement the engine sends while the block runs (the listener is removed after)."""
    found: list[Statement] = []

    def record(
        _conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        found.append(Statement(sql, parameters, many))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def one_line(sql: str, width: int = 0) -> str:
    text = " ".join(sql.split())
    return text if not width or len(text) <= width else text[: width - 1] + "…"


async def explain(engine: AsyncEngine, statements: list[Statement]) -> list[dict[str, Any]]:
    """The plan of each distinct read among ``statements``: ``EXPLAIN QUERY PLAN`` on SQLite,
    ``EXPLAIN`` on PostgreSQL, with the parameters the statement ran with."""
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    plans: list[dict[str, Any]] = []
    seen: set[str] = set()
    async with engine.connect() as connection:
        for statement in statements:
            head = statement.sql.lstrip().split(None, 1)[0].upper()
            if statement.many or head not in {"SELECT", "WITH"} or statement.sql in seen:
                continue
            seen.add(statement.sql)
            parameters = tuple(statement.parameters or ())
            result = await connection.exec_driver_sql(prefix + statement.sql, parameters)
            rows: list[Any] = list(result.all())
            if sqlite:
                depth: dict[int, int] = {0: 0}
                lines = []
                for row in rows:
                    node, parent, detail = int(row[0]), int(row[1]), row[3]
                    depth[node] = depth.get(parent, 0) + 1
                    lines.append("  " * (depth[node] - 1) + str(detail))
            else:
                lines = [str(row[0]) for row in rows]
            plans.append({"sql": one_line(statement.sql), "plan": lines})
        await connection.rollback()
    return plans


def full_scans(plan: list[str]) -> list[str]:
    """The plan lines that read a whole table (no index)."""
    found = []
    for line in plan:
        text = line.strip().removeprefix("->").strip()
        if re.match(r"SCAN (?!CONSTANT ROW|\()", text) or text.startswith("Seq Scan"):
            found.append(text.split("  (cost=")[0])
    return found


# --- figures ---------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of ``samples``."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def write_json(name: str, payload: dict[str, Any], folder: Path | None = None) -> Path:
    folder = folder or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
