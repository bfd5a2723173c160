"""A teacher's "💾 Сохранить" in the chat → the families' pushes at their chats.

The real ``journal run`` (polling, middlewares, handlers, notifier) runs in-process against the
tests' fake Bot API, on the tiny school's Monday 08:20 (03:20 UTC on 2026-11-30), when Крылова's
algebra with 7А is in progress; 7А is filled up to 28 pupils, each with a linked guardian (Анна
has two), so the roll-call and the marks work on a class of a real size. Pushes are not
coalesced (``push_coalesce_seconds=0``); the notifier polls at its production default (2 s).

Measured from the press of "Сохранить" (``time.monotonic()`` before the fake queues the
callback) to the fake's record of each family's push (``Sent.at``, the same clock):

- marks for 4 pupils from one message ("3 5, 10 4, …"): the last of the families' pushes
  (the notifier spaces pushes 35 ms apart, 30 a second with its margin);
- a roll-call with 3 pupils tapped absent: the last of their families' absence pushes;
- marks for the whole class from one message (a test): the last of 29 pushes, which Telegram's
  30 messages a second overall bounds from below.

The fake enforces Telegram's limits (30/s overall, 20/min per group) with the per-chat window at
2 a second, not 1: the save handlers answer the teacher twice in a row (the keyboard off, then
"saved"), Telegram lets such short bursts through, and the fake's strict 1-a-second window
refuses the second answer, which rolls the whole save back. The teacher's actions are paced
``PAUSE`` apart for the same window (the bot's own throttle needs 0.55 s).

PostgreSQL wakes the notifier with LISTEN/NOTIFY at commit; SQLite has only the poll, so there
the figure is the poll's (a random part of a poll interval is added before each save there, or
the steady rounds would keep one phase against the poll). PostgreSQL is skipped when its
binaries are missing.
``JOURNAL_BENCH_ROUNDS`` sets the number of saves on PostgreSQL (default 15; SQLite and the
whole-class case do a third of it); ``JOURNAL_BENCH_JSON=DIR`` also writes every sample to
``DIR/mark_latency.json``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bot.settings import Settings
from core import migrate
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker
from core.exchange import service
from tests.bot import school
from tests.e2e.sides import TelegramSide, running
from tests.fake_telegram import FakeTelegram, MessageState, Sent, SimUser
from tests.notify.families import link_account, processed_everything
from tests.postgres_server import PostgresUnavailableError, running_postgres

IN_CLASS = datetime(2026, 11, 30, 3, 20, tzinfo=UTC)  # 08:20 at the school: lesson 1 is on
PAUSE = 1.05  # between a teacher's actions: the fake's per-chat window (see above)
TIMEOUT = 15.0
KRYLOVA = 50
NEW_PUPILS = (
    "Алексеев Артём",
    "Белова Вера",
    "Васильев Глеб",
    "Громова Дарья",
    "Давыдов Егор",
    "Ершова Жанна",
    "Жуков Захар",
    "Зайцева Ирина",
    "Ильин Кирилл",
    "Козлова Лариса",
    "Лебедев Максим",
    "Морозова Нина",
    "Никитин Олег",
    "Орлова Полина",
    "Павлов Роман",
    "Романова Софья",
    "Соколов Тимур",
    "Тарасова Ульяна",
    "Уваров Фёдор",
    "Фролова Алиса",
    "Харламов Степан",
    "Цветкова Ксения",
    "Чернов Борис",
    "Шилова Варвара",
    "Щукин Григорий",
    "Яковлев Илья",
)
# 7А's surnames → their guardians (user id → id in the exchange): the tiny school's, then new.
FAMILIES: dict[str, dict[int, str]] = {"Иванова": {10: "G1", 30: "G3"}, "Петров": {20: "G2"}} | {
    name.split()[0]: {1000 + n: f"G{100 + n}"} for n, name in enumerate(NEW_PUPILS, start=1)
}
POLL = float(Settings.model_fields["notifier_poll_seconds"].default)
MARKS = ("5", "4", "3", "5")


def _class_tables() -> dict[str, list[dict[str, str]]]:
    """The tiny school with 7А filled up to 28 pupils, each new one with a guardian."""
    tables = school.tables()
    for n, name in enumerate(NEW_PUPILS, start=1):
        last, first = name.split()
        tables["students"].append(
            {
                "id": f"S{100 + n}",
                "last_name": last,
                "first_name": first,
                "class": "C7A",
                "enrolled": "2026-09-01",
                "phone": "",
                "left": "",
            }
        )
        tables["guardians"].append(
            {
                "id": f"G{100 + n}",
                "last_name": last,
                "first_name": "Елена",
                "phone": f"+7922300{n:04d}",
                "students": f"S{100 + n}",
                "relation": "mother",
            }
        )
    return tables


async def _prepare(url: str) -> list[int]:
    """Migrate, import, clear the import's own pushes, link Крылова and 7А's guardians."""
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url)
    try:
        sessions = create_sessionmaker(engine)
        await service.import_rows(sessions, _class_tables(), now=school.NOW, today=school.TODAY)
        await processed_everything(sessions, school.NOW)
        await link_account(sessions, KRYLOVA, "T1", locale="ru")
        guardians = {
            user: person for family in FAMILIES.values() for user, person in family.items()
        }
        for user, person in guardians.items():
            await link_account(sessions, user, person, locale="ru")
        return list(guardians)
    finally:
        await engine.dispose()


@dataclass
class Save:
    """One press of "Сохранить", in ms from the press: the callback answered (the handler has
    written, not yet committed), the teacher's "saved" message (the session commits after the
    handler returns), and each family's push."""

    answer_ms: float
    reply_ms: float
    pushes_ms: list[float]


@dataclass
class Scenario:
    name: str
    saves: list[Save] = field(default_factory=list)

    def last(self) -> list[float]:
        return [max(save.pushes_ms) for save in self.saves]

    def first(self) -> list[float]:
        return [min(save.pushes_ms) for save in self.saves]


def _data(state: Sent | MessageState, pattern: str) -> str:
    """The callback data of the first button whose label matches ``pattern``."""
    for label, data in state.buttons:
        if data is not None and re.search(pattern, label):
            return data
    raise AssertionError(f"no button like {pattern!r}: {state.buttons}")


def _numbers(text: str) -> dict[int, str]:
    """The class list's numbers → surnames, from a marks prompt."""
    return {int(n): surname for n, surname in re.findall(r"^(\d+)\. (\S+)", text, re.MULTILINE)}


class Teacher:
    """Крылова at her phone: presses, types, and reads what the bot says back."""

    def __init__(self, tg: FakeTelegram, families: list[int], *, jitter: float) -> None:
        self.tg = tg
        self.me: SimUser = tg.user(KRYLOVA, "Нина")
        self._jitter = jitter
        self._random = random.Random(1)
        for user in families:
            tg.user(user, "Родитель")
        self.card: Sent | None = None
        self.pupils: dict[int, str] = {}

    def _card(self) -> Sent:
        if self.card is None:
            raise RuntimeError("open the lesson first")
        return self.card

    async def _said(self, method: str = "sendMessage", count: int = 1) -> list[Sent]:
        return await self.tg.wait_for(
            lambda s: s.method == method and s.chat_id == KRYLOVA, count, TIMEOUT
        )

    async def _press(self, state: Sent | MessageState, pattern: str) -> float:
        pressed = time.monotonic()
        await self.tg.press(self.me, state, _data(state, pattern))
        return pressed

    async def _before_save(self) -> None:
        """The pause, plus a random part of a poll interval where only the poll wakes the
        notifier: steady rounds would otherwise keep one phase against the poll."""
        await asyncio.sleep(PAUSE + self._random.uniform(0, self._jitter))

    async def _saved(self, numbers: list[int], pressed: float) -> Save:
        """Wait for the families' pushes and the teacher's "saved" after a "Сохранить"."""
        pushes = await self._families_told(numbers, pressed)
        [reply] = await self._said()
        [answer] = [
            a for a in self.tg.callback_answers if a.user_id == KRYLOVA and a.at >= pressed
        ][:1]
        return Save((answer.at - pressed) * 1000, (reply.at - pressed) * 1000, pushes)

    async def open_lesson(self) -> None:
        await self.tg.send_text(self.me, "/lesson")
        [self.card] = await self._said()
        if "урок 1" not in (self.card.plain_text or ""):
            raise AssertionError(f"not lesson 1 of 7А: {self.card.plain_text}")
        await asyncio.sleep(PAUSE)
        await self._press(self.card, "Оценки")
        [prompt] = await self._said()
        self.pupils = _numbers(prompt.plain_text or "")
        await asyncio.sleep(PAUSE)

    async def _families_told(self, numbers: list[int], pressed: float) -> list[float]:
        """Wait for the pushes to the families of ``numbers``; ms from ``pressed`` to each."""
        chats = {user for n in numbers for user in FAMILIES[self.pupils[n]]}
        pushes = await self.tg.wait_for(
            lambda s: s.method == "sendMessage" and s.chat_id in chats, len(chats), TIMEOUT
        )
        return [(push.at - pressed) * 1000 for push in pushes]

    async def marks(self, numbers: list[int], *, whole_class: bool = False) -> Save:
        """Press "Оценки", send one message of marks, press "Сохранить" on the preview."""
        await self._press(self._card(), "Оценки")
        await self._said()
        await asyncio.sleep(PAUSE)
        if whole_class:
            text = " ".join(MARKS[n % len(MARKS)] for n in numbers)
        else:
            text = ", ".join(f"{n} {MARKS[i % len(MARKS)]}" for i, n in enumerate(numbers))
        await self.tg.send_text(self.me, text)
        [preview] = await self._said()
        await self._before_save()
        saved = await self._saved(numbers, await self._press(preview, "Сохранить"))
        await asyncio.sleep(PAUSE)
        return saved

    async def roll_call(self, roll: MessageState, numbers: list[int]) -> Save:
        """Tap ``numbers`` absent, "Сохранить"; then "Все присутствуют" for the next round."""
        key = (roll.chat_id, roll.message_id)
        for i, n in enumerate(numbers):
            if i:
                await asyncio.sleep(PAUSE)
            await self._press(self.tg.messages[key], rf"^\S+ {n}\. ")
            await self._said("editMessageText")
        await self._before_save()
        saved = await self._saved(numbers, await self._press(self.tg.messages[key], "Сохранить"))
        await asyncio.sleep(PAUSE)
        await self._press(self.tg.messages[key], "Все присутствуют")
        await self._said("editMessageText")
        await self._said()
        await asyncio.sleep(PAUSE)
        return saved

    async def open_roll_call(self) -> MessageState:
        await self._press(self._card(), "Перекличка")
        [roll] = await self._said()
        await asyncio.sleep(PAUSE)
        return self.tg.messages[(KRYLOVA, roll.message_id or 0)]


def _rotating(size: int, per_round: int, rounds: int) -> list[list[int]]:
    """Pupils taken in turn through the class list, ``per_round`` at a time."""
    order = [1 + (i * 7) % size for i in range(size)]  # spread over the list
    return [
        sorted({order[(r * per_round + i) % size] for i in range(per_round)}) for r in range(rounds)
    ]


async def _measure(url: str, rounds: int) -> tuple[list[Scenario], int]:
    """The three scenarios on one database; and how many sends the fake answered 429."""
    families = await _prepare(url)
    async with FakeTelegram() as tg:
        tg.limits(global_per_second=30, per_chat_per_second=2, per_group_per_minute=20)
        async with running(
            url,
            FrozenClock(IN_CLASS),
            TelegramSide(tg),
            push_coalesce_seconds=0,
            notifier_poll_seconds=POLL,
        ):
            polled = not url.startswith("postgresql")
            teacher = Teacher(tg, families, jitter=POLL if polled else 0.0)
            await teacher.open_lesson()
            size = len(teacher.pupils)
            marks = Scenario("marks for 4 pupils → their families' pushes")
            for numbers in _rotating(size, 4, rounds):
                marks.saves.append(await teacher.marks(numbers))
            roll = Scenario("roll-call, 3 absent → their families' pushes")
            sheet = await teacher.open_roll_call()
            for numbers in _rotating(size, 3, rounds):
                roll.saves.append(await teacher.roll_call(sheet, numbers))
            whole = Scenario(f"marks for the whole class ({size}) → every family's push")
            everyone = list(range(1, size + 1))
            for _ in range(max(3, rounds // 3)):
                whole.saves.append(await teacher.marks(everyone, whole_class=True))
        refused = tg.too_many_requests
        told = sum(len(save.pushes_ms) for s in (marks, roll, whole) for save in s.saves)
        sent = [m for m in tg.sent if m.method == "sendMessage" and m.chat_id in families]
        if len(sent) != told:  # a push nobody waited for would skew a later sample
            raise AssertionError(f"{len(sent)} messages to families, {told} expected")
    # A cancelled runtime leaves its stop waiter pending (bot/runtime.py, _serve): end it here
    # rather than have asyncio complain when it is collected.
    for task in asyncio.all_tasks():
        if task is not asyncio.current_task() and "Event.wait" in repr(task.get_coro()):
            task.cancel()
    return [marks, roll, whole], refused


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 1),
        "p90_ms": round(_p90(values), 1),
        "max_ms": round(max(values), 1),
    }


def _report(database: str, scenarios: list[Scenario], refused: int) -> list[dict[str, Any]]:
    rows = []
    for scenario in scenarios:
        last, first = _summary(scenario.last()), _summary(scenario.first())
        answer = _summary([save.answer_ms for save in scenario.saves])
        reply = _summary([save.reply_ms for save in scenario.saves])
        pushes = sum(len(save.pushes_ms) for save in scenario.saves)
        print(
            f"{database}, {scenario.name}: last push median {last['median_ms']:.0f} ms, "
            f"p90 {last['p90_ms']:.0f} ms, max {last['max_ms']:.0f} ms "
            f"({len(scenario.saves)} saves, {pushes} pushes)\n"
            f"  medians on the way: press answered {answer['median_ms']:.0f} ms, "
            f"the teacher's «saved» {reply['median_ms']:.0f} ms, "
            f"first push {first['median_ms']:.0f} ms"
        )
        rows.append(
            {
                "database": database,
                "scenario": scenario.name,
                "saves": len(scenario.saves),
                "pushes": pushes,
                "last_push": last,
                "first_push": first,
                "press_answered": answer,
                "teacher_saved_reply": reply,
                "samples": [
                    {
                        "answer_ms": round(s.answer_ms, 1),
                        "reply_ms": round(s.reply_ms, 1),
                        "pushes_ms": [round(p, 1) for p in s.pushes_ms],
                    }
                    for s in scenario.saves
                ],
            }
        )
    print(f"{database}: {refused} sends answered 429")
    return rows


def _table(rows: list[dict[str, Any]]) -> None:
    print("| database | save → push (last family) | N | median | p90 | max |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        last = row["last_push"]
        print(
            f"| {row['database']} | {row['scenario']} | {row['saves']} | "
            f"{last['median_ms']:.0f} ms | {last['p90_ms']:.0f} ms | {last['max_ms']:.0f} ms |"
        )


def _write_json(rows: list[dict[str, Any]], rounds: int) -> None:
    folder = os.environ.get("JOURNAL_BENCH_JSON")
    if not folder:
        return
    path = Path(folder) / "mark_latency.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds": rounds,
        "notifier_poll_seconds": POLL,
        "results": rows,
    }
    path.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {path}")


async def run() -> None:
    rounds = int(os.environ.get("JOURNAL_BENCH_ROUNDS") or 15)
    rows: list[dict[str, Any]] = []
    try:
        with running_postgres() as server:
            connection = await asyncpg.connect(server.dsn())
            await connection.execute("CREATE DATABASE bench_mark_latency")
            await connection.close()
            scenarios, refused = await _measure(server.url("bench_mark_latency"), rounds)
            rows += _report("PostgreSQL", scenarios, refused)
    except PostgresUnavailableError as exc:
        print(f"PostgreSQL skipped: {exc}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'mark_latency.db'}"
        scenarios, refused = await _measure(url, max(3, rounds // 3))
        rows += _report(f"SQLite (poll {POLL:g} s)", scenarios, refused)
    _table(rows)
    _write_json(rows, rounds)
