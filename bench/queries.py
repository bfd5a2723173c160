"""Family questions on the demo school: p50 and p99 through the core and through the dispatcher.

The demo gymnasium of ``JOURNAL_BENCH_STUDENTS`` pupils (default 2,800: about 10^5 marks) is
imported on each backend (``JOURNAL_BENCH_BACKENDS``, see ``bench/_fixtures.py``); a guardian of
one 7th-grade pupil links their chat account with a school code, as families do. Each question
is then asked ``JOURNAL_BENCH_RUNS`` times (default 200) after ``JOURNAL_BENCH_WARMUP`` (20):

- **core**: the service calls the question's handler makes, with the reader the chat would
  have, in a session of their own that is committed (the audit records are part of a read);
- **dispatcher**: the command as a Telegram update through ``dispatcher.feed_update`` — the
  production middlewares (session, account, locale, throttle, private-chat guard), the
  router, the handler, the view — answered by a Bot whose session records instead of sending.

Questions: diary week (``/marks``), term (``/term``), ``/tomorrow``, ``/homework``,
``/changes``, ``/attendance``, ``/debts`` and what-if (``/whatif <subject> 5``). The table
gives p50 and p99 in ms and the statements one answer runs; ``EXPLAIN`` (``EXPLAIN QUERY PLAN``
on SQLite) of the slowest question's reads follows. The figures go to
``bench/results/queries-<backend>-<size>.json`` (size: ``2800``, or ``2800x96`` for 96 schools,
``JOURNAL_BENCH_SCHOOLS``); once that folder holds two sizes for a
backend, the growth factor from the smallest to the largest is printed (goal: under 1.5).
On PostgreSQL the demo is ``ANALYZE``d after the import (autovacuum would do it soon).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench._fixtures import (
    TODAY,
    Chat,
    Demo,
    Family,
    bench_backends,
    bench_students,
    captured,
    each_demo,
    env_int,
    explain,
    families,
    full_scans,
    machine,
    one_line,
    percentile,
    write_json,
)
from core.db import create_engine, create_sessionmaker
from core.linking.accounts import load_account, reader_of
from core.models.enums import Messenger
from core.questions.subjects import find_subject
from core.questions.vocabulary import school_subjects
from core.reader import Reader
from core.services.attendance import attendance
from core.services.attestation import attestation
from core.services.calendar import student_class_on, term_on
from core.services.class_data import load_class
from core.services.debts import debts
from core.services.diary import diary
from core.services.homework import homework_by_subject, homework_due
from core.services.timetable import student_days_ahead
from core.services.whatif import what_if

USER = 7001  # the guardian's Telegram user id (= private chat id)
HOMEWORK_DAYS = 14  # handlers.agenda.HOMEWORK_DAYS
WHATIF_MARK = 5
PREFERRED_SUBJECT = "алгебра"

Core = Callable[[AsyncSession], Awaitable[object]]


class Asker:
    """The core calls of each question's handler, for one linked family."""

    def __init__(self, family: Family, reader: Reader, subject: str, subject_id: int) -> None:
        self.family = family
        self.reader = reader
        self.subject = subject
        self.subject_id = subject_id

    def questions(self) -> dict[str, tuple[str, Core]]:
        """Question → (the chat's text, the handler's core calls)."""
        return {
            "marks": ("/marks", self.marks),
            "term": ("/term", self.term),
            "tomorrow": ("/tomorrow", self.tomorrow),
            "homework": ("/homework", self.homework),
            "changes": ("/changes", self.changes),
            "attendance": ("/attendance", self.attendance),
            "debts": ("/debts", self.debts),
            "whatif": (f"/whatif {self.subject} {WHATIF_MARK}", self.whatif),
        }

    async def marks(self, session: AsyncSession) -> object:  # handlers.diary.on_marks
        monday = TODAY - timedelta(days=TODAY.weekday())
        sid = self.family.student_id
        return await diary(session, sid, monday, monday + timedelta(days=6), self.reader)

    async def term(self, session: AsyncSession) -> object:  # handlers.records.on_term
        sid = self.family.student_id
        placement = await student_class_on(session, sid, TODAY, self.reader)
        if placement.class_id is None:
            raise RuntimeError("the pupil has no class")
        info = await load_class(session, placement.class_id)
        return await attestation(session, sid, info.academic_year_id, self.reader)

    async def tomorrow(self, session: AsyncSession) -> object:  # handlers.timetable.on_tomorrow
        sid = self.family.student_id
        _today, day = await student_days_ahead(session, sid, TODAY, self.reader, with_today=False)
        if day is None:
            raise RuntimeError("no school day after today")
        return day, await homework_due(session, sid, day.date, self.reader)

    async def homework(self, session: AsyncSession) -> object:  # handlers.agenda.on_homework
        end = TODAY + timedelta(days=HOMEWORK_DAYS)
        return await homework_by_subject(session, self.family.student_id, TODAY, end, self.reader)

    async def changes(self, session: AsyncSession) -> object:  # handlers.agenda.changes_text
        sid = self.family.student_id
        return await student_days_ahead(session, sid, TODAY, self.reader, with_today=True)

    async def attendance(self, session: AsyncSession) -> object:  # handlers.records.on_attendance
        sid = self.family.student_id
        placement = await student_class_on(session, sid, TODAY, self.reader)
        term = await term_on(session, placement.class_id, TODAY) if placement.class_id else None
        start = term.starts_on if term else TODAY.replace(day=1)
        return await attendance(session, sid, start, TODAY, self.reader)

    async def debts(self, session: AsyncSession) -> object:  # handlers.agenda.debts_text
        return await debts(session, self.family.student_id, TODAY, self.reader)

    async def whatif(self, session: AsyncSession) -> object:  # handlers.whatif.on_whatif
        sid = self.family.student_id
        subjects = await school_subjects(session, sid)
        subject_id = find_subject(self.subject.split(), subjects)
        if subject_id is None:
            raise RuntimeError(f"no subject {self.subject!r}")
        hypothetical = (WHATIF_MARK,)
        return await what_if(
            session, sid, subject_id, TODAY, self.reader, hypothetical=hypothetical
        )


async def _asker(sessions: async_sessionmaker[AsyncSession], family: Family) -> Asker:
    """The family's reader (as the account middleware builds it) and a subject for /whatif."""
    async with sessions() as session:
        account = await load_account(session, Messenger.TELEGRAM, str(USER), TODAY)
        if account is None:
            raise RuntimeError("the guardian is not linked")
        subjects = await school_subjects(session, family.student_id)
    reader = reader_of(account, Messenger.TELEGRAM.value, TODAY)

    def words(name: str) -> str:  # as handlers.whatif reads the command's words
        return name.lower().replace("ё", "е")

    # Algebra when the pupil has it, else the first subject its own name finds.
    candidates = sorted(
        (words(name) != PREFERRED_SUBJECT, words(name), sid)
        for sid, name in subjects.items()
        if find_subject(words(name).split(), subjects) == sid
    )
    if not candidates:
        raise RuntimeError("no subject of the pupil is found by its name")
    _other, subject, subject_id = candidates[0]
    return Asker(family, reader, subject, subject_id)


def _figures(samples_ns: list[int], cpu_ns: int) -> dict[str, float]:
    """Wall-clock percentiles; and the process's CPU per answer (the event loop and aiosqlite's
    thread, not PostgreSQL's server), which a busy machine disturbs less."""
    ms = [s / 1e6 for s in samples_ns]
    return {
        "p50_ms": round(percentile(ms, 0.50), 3),
        "p99_ms": round(percentile(ms, 0.99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3),
        "max_ms": round(max(ms), 3),
        "cpu_ms": round(cpu_ns / 1e6 / len(ms), 3),
    }


def _refusals(i18n: I18n) -> set[str]:
    """Answers that mean the question was not answered (in either language)."""
    texts = {
        "This information is not available to you.",
        "First link your account: /start shows how.",
        "No child is linked to your account. /start shows how to link one.",
        "Sorry, something went wrong. Please try again.",
        "The journal is temporarily unavailable. Please try again in a minute.",
        "Which subject?",
    }
    return texts | {i18n.gettext(text, locale="ru") for text in texts}


async def _core_series(
    sessions: async_sessionmaker[AsyncSession], call: Core, runs: int, warmup: int
) -> dict[str, float]:
    samples: list[int] = []
    cpu = 0
    for n in range(warmup + runs):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        async with sessions() as session:
            await call(session)
            await session.commit()
        elapsed = time.perf_counter_ns() - started
        if n >= warmup:
            samples.append(elapsed)
            cpu += time.process_time_ns() - started_cpu
    return _figures(samples, cpu)


async def _chat_series(
    chat: Chat, text: str, runs: int, warmup: int
) -> tuple[dict[str, float], int]:
    """Figures of ``runs`` answers to ``text`` (after ``warmup``); and the first answer's size."""
    updates = [chat.text(USER, text) for _ in range(warmup + runs)]
    samples: list[int] = []
    cpu = 0
    refusals = _refusals(chat.dp["i18n"])
    size = 0
    for n, update in enumerate(updates):
        failures = chat.failures.count
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        await chat.dp.feed_update(chat.bot, update)
        elapsed = time.perf_counter_ns() - started
        used = time.process_time_ns() - started_cpu
        if chat.failures.count != failures:
            raise RuntimeError(f"{text}: the handler failed (see the log above)")
        if n == 0:
            said = [c.text or "" for c in chat.recorder.calls if c.method == "sendMessage"]
            if not said or said[0] in refusals:
                raise RuntimeError(f"{text}: not answered: {said[:1]}")
            size = len(said[0])
        chat.forget()
        if n >= warmup:
            samples.append(elapsed)
            cpu += used
    return _figures(samples, cpu), size


async def _statements(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], call: Core
) -> int:
    with captured(engine) as found:
        async with sessions() as session:
            await call(session)
            await session.commit()
    return len(found)


async def measure(demo: Demo, *, runs: int, warmup: int) -> dict[str, Any]:
    """Link a family in ``demo``'s database and time every question both ways."""
    engine = create_engine(demo.url)
    sessions = create_sessionmaker(engine)
    with tempfile.TemporaryDirectory(prefix="journal-bench-files-") as files:
        chat = Chat(sessions, Path(files))
        try:
            [family] = await families(sessions, 1)
            await chat.link(USER, family)
            asker = await _asker(sessions, family)
            questions: dict[str, Any] = {}
            plans_for: dict[str, Any] = {}
            for name, (text, call) in asker.questions().items():
                core = await _core_series(sessions, call, runs, warmup)
                dispatched, size = await _chat_series(chat, text, runs, warmup)
                with captured(engine) as found:
                    await chat.feed(chat.text(USER, text))
                chat.forget()
                plans_for[name] = found
                questions[name] = {
                    "text": text,
                    "core": core | {"statements": await _statements(engine, sessions, call)},
                    "dispatcher": dispatched | {"statements": len(found)},
                    "answer_chars": size,
                }
            slowest = max(questions, key=lambda q: questions[q]["dispatcher"]["p50_ms"])
            plans = await explain(engine, plans_for[slowest])
        finally:
            chat.close()
            await engine.dispose()
    return {
        "benchmark": "queries",
        "backend": demo.backend,
        "students": demo.students,
        "marks": demo.marks,
        "import_seconds": round(demo.import_seconds, 1),
        "schools": demo.schools,
        "copy_seconds": round(demo.copy_seconds, 1),
        "runs": runs,
        "warmup": warmup,
        "family": {
            "guardian": family.guardian,
            "student": family.student,
            "class": family.class_name,
            "whatif_subject": asker.subject,
        },
        "today": TODAY.isoformat(),
        "machine": machine(),
        "questions": questions,
        "slowest": {"question": slowest, "explain": plans},
    }


def report(result: dict[str, Any]) -> None:
    """The short table, and the slowest question's plans."""
    schools = result.get("schools", 1)
    made = f"import {result['import_seconds']} s"
    if schools > 1:
        made += f", {schools - 1} copies {result['copy_seconds']} s"
    print(
        f"{result['backend']}: {schools} × {result['students']} students, "
        f"{result['marks']:,} marks ({made}), {result['runs']} runs after "
        f"{result['warmup']}; ms (cpu: the process's CPU per answer), statements per answer"
    )
    head = f"{'p50':>7} {'p99':>7} {'cpu':>6} {'st':>3}"
    print(f"{'':<11} {'core':<26}  {'dispatcher':<26}")
    print(f"{'question':<11} {head}  {head}")

    def cells(figures: dict[str, float]) -> str:
        return (
            f"{figures['p50_ms']:>7.2f} {figures['p99_ms']:>7.2f} "
            f"{figures['cpu_ms']:>6.2f} {figures['statements']:>3}"
        )

    for name, figures in result["questions"].items():
        print(f"{name:<11} {cells(figures['core'])}  {cells(figures['dispatcher'])}")
    slowest = result["slowest"]
    print(f"slowest through the dispatcher: {slowest['question']}; its reads' plans:")
    for plan in slowest["explain"]:
        print(f"  {one_line(plan['sql'], 150)}")
        for line in plan["plan"]:
            print(f"      {line}")
    scans = sorted({s for plan in slowest["explain"] for s in full_scans(plan["plan"])})
    print(f"  full scans: {', '.join(scans) if scans else 'none'}")


def growth(folder: Path, backend: str) -> dict[str, Any] | None:
    """p50, p99 and CPU per answer through the dispatcher at the largest size measured over the
    smallest, per question, from the results in ``folder`` (None until two sizes are there)."""
    results = []
    for path in folder.glob(f"queries-{backend}-*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        results.append((int(result["marks"]), result))
    if len(results) < 2:
        return None
    (small_marks, small), (large_marks, large) = min(results), max(results)
    factors = {
        name: {
            figure: round(large["questions"][name]["dispatcher"][figure] / figures[figure], 2)
            for figure in ("p50_ms", "p99_ms", "cpu_ms")
        }
        for name, figures in ((n, f["dispatcher"]) for n, f in small["questions"].items())
        if name in large["questions"]
    }
    return {"from_marks": small_marks, "to_marks": large_marks, "factors": factors}


def report_growth(backend: str, found: dict[str, Any]) -> None:
    factors = ", ".join(
        f"{name} {f['p50_ms']:.2f}/{f['p99_ms']:.2f}/{f['cpu_ms']:.2f}"
        for name, f in found["factors"].items()
    )
    print(
        f"{backend}: growth from {found['from_marks']:,} to {found['to_marks']:,} marks "
        f"(p50/p99/CPU through the dispatcher, goal under 1.5): {factors}"
    )


async def run(
    *,
    students: int | None = None,
    runs: int | None = None,
    warmup: int | None = None,
    backends: Sequence[str] | None = None,
    demo: Demo | None = None,
    out: Path | None = None,
) -> list[Path]:
    """Measure on each backend (or on ``demo`` alone); write and print the figures."""
    students = students or bench_students()
    runs = runs or env_int("JOURNAL_BENCH_RUNS", 200)
    warmup = warmup if warmup is not None else env_int("JOURNAL_BENCH_WARMUP", 20)
    written: list[Path] = []
    async for each in each_demo(demo, backends or bench_backends(), students):
        result = await measure(each, runs=runs, warmup=warmup)
        report(result)
        name = f"queries-{each.backend}-{each.size}.json"
        written.append(write_json(name, result, out))
        found = growth(written[-1].parent, each.backend)
        if found is not None:
            report_growth(each.backend, found)
    return written
