"""Region day: one school day of pushes, fed through the real fan-out, and scaled to a region of
200,000 pupils (issue 14, item 9).

Schools with a bot each are independent (each bot has its own 30 messages/s), so one
representative school stands for all of them: the demo school of ``students`` pupils
(``journal demo``'s generator through the real importer, SQLite by default), its families
linked and their preferences set, then a virtual Tuesday (1 December 2026, the day after the
demo's "today") from 07:00 school time until the last push has gone out the next morning.

What is real: the journal writes (marks through ``core.teaching.marks.save_marks`` and the
roll-call through ``core.teaching.rollcall.save_roll_call``, as the teacher's "💾 Сохранить" in
the chat; substitutions as a substitution sheet through the importer, as a head teacher posts
them), the outbox, :func:`core.notify.fanout.fan_out` (recipients by the access policy,
preferences, the 60 s coalescing window, quiet hours), :func:`core.notify.deliveries.claim_due`
(one message per chat, busy chats left) and :func:`core.notify.deliveries.record_sent`, all on
the database with a virtual "now".

What is simulated: the clock (virtual, event-driven: a step at each write, at each pending
push's ``not_before`` and, while the bot has messages queued, when half of them have gone out);
the notifier is woken at once by each write (PostgreSQL's LISTEN/NOTIFY) and claims at most
what the bot sends in one poll (2 s); sending is a queue model in virtual time (the bot's
30 messages/s and 1 a second per chat, a message kept back for its chat holding the slots
behind it; no HTTP, no 429s, no failures: the real notifier's sending is measured by
``bench/pushes.py`` and ``bench/mark_latency.py``). Who gets a mark, who is ill, when a teacher
saves: a seeded random model with the counts in :class:`Model` (all in the JSON).
Not modelled: homework (unless ``homework_share`` is set), corrections, the evening digest,
the weekly summary and the early warning (scheduled messages at fixed times, outside the 30/s
fan-out question), staff pushes.

The region (200,000 pupils) is that school times ``region_pupils / students``. With a bot per
school nothing changes per family. For one shared bot the day's sends of every school add up
(the schools ring the same bells, so their peaks coincide): a fluid FIFO queue at the bot's rate
over the scaled arrivals gives each push's extra wait, and the rate one bot would need for the
p95 goal is found by bisection.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench._fixtures import (
    TIMEZONE,
    Demo,
    demo_database,
    load_demo,
    machine,
    percentile,
    write_json,
)
from core.clock import FrozenClock
from core.db import create_engine, create_sessionmaker
from core.exchange import service
from core.models import (
    Account,
    AccountLink,
    Delivery,
    GroupMember,
    GuardianLink,
    NotificationPreference,
    OutboxEvent,
    SchoolClass,
    Staff,
    Student,
    Subject,
)
from core.models.enums import AttendanceCode, DeliveryState, EventKind, LinkMethod, Messenger
from core.notify.deliveries import Sent, claim_due, record_sent
from core.notify.fanout import PushRules, fan_out
from core.notify.kinds import PREFERENCE
from core.notify.quiet import in_quiet_hours
from core.reader import Reader
from core.services.timetable import class_timetable
from core.services.timetable_lessons import TimetableLesson
from core.teaching.dto import LessonSlot
from core.teaching.homework import assign_homework
from core.teaching.lessons import pupils_of, slot_of
from core.teaching.marks import NewMark, save_marks
from core.teaching.rollcall import save_roll_call

DAY = date(2026, 12, 1)  # a Tuesday: the demo's "today" (Monday 30.11) is history by then
GOAL = timedelta(minutes=15)  # p95 from event to delivery outside quiet hours
MARK_VALUES = (("5", 5, 0.35), ("4", 4, 0.40), ("3", 3, 0.20), ("2", 2, 0.05))
FIRST_CHAT = 500_000
SPREAD = 600  # seconds: the schools' days shifted evenly over 10 minutes (the other variant)


@dataclass(frozen=True)
class Model:
    """The assumptions of the simulated day (every one is written to the JSON)."""

    students: int = 1000  # the representative school (the demo's classes are about 25)
    region_pupils: int = 200_000
    # Families: a share of the demo's guardians link the bot (a family's guardians are linked to
    # all its children: about one family in ten has two or three), some pupils have their own.
    guardians_linked: float = 0.70
    pupil_accounts: float = 0.25  # of pupils in grades 5–11
    # Preferences (the rest keep the defaults: everything on, quiet hours 21:00–07:00).
    quiet_22_07: float = 0.15
    quiet_off: float = 0.10
    marks_off: float = 0.05
    absences_off: float = 0.03
    changes_off: float = 0.10
    # The day's journal, per pupil and per school.
    marks_per_pupil: float = 1.75  # spread over the pupil's lessons
    ill_share: float = 0.06  # absent all day: Н at every lesson's roll-call
    lesson_absence: float = 0.01  # absent or late at a single lesson (half each)
    # Homework set in the chat (a class-wide push) at this share of lessons: off by default,
    # issue 14 asks for marks, absences and substitutions; 0.8 shows what homework adds.
    homework_share: float = 0.0
    substitutions_today: int = 4  # posted at 07:20 for today (one of them a room change)
    changes_tomorrow: int = 4  # posted at 14:00 for tomorrow (one of them a cancellation)
    # When a lesson's marks are saved: in class (at its end), after school (15–20 h),
    # in the evening (20–22 h, partly inside 21:00–07:00); the roll-call 2–8 min after the bell.
    saves_in_class: float = 0.70
    saves_after_school: float = 0.20
    # The bot and the notifier.
    rate: float = 30.0  # messages a second per bot
    poll: float = 2.0  # seconds; the notifier claims at most rate × poll ahead
    window: int = 60  # PUSH_COALESCE_SECONDS
    start: str = "07:00"
    last_write: str = "22:00"
    seed: int = 14


@dataclass
class _Message:
    account_id: int
    delivery_ids: tuple[int, ...]
    claimed: datetime
    at: datetime  # when the bot sends it (virtual)


@dataclass
class _Lesson:
    slot: LessonSlot
    teacher_id: int
    begins: datetime
    ends: datetime
    absent: dict[int, AttendanceCode] = field(default_factory=dict)
    marks: list[NewMark] = field(default_factory=list)


def _local(day: date, at: str | clock_time) -> datetime:
    moment = clock_time.fromisoformat(at) if isinstance(at, str) else at
    return datetime.combine(day, moment, tzinfo=TIMEZONE).astimezone(UTC)


def _utc(value: datetime) -> datetime:
    """Aware UTC (SQLite hands back what was stored; be sure either way)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- the school's families -------------------------------------------------------------------


@dataclass
class _Families:
    accounts: dict[int, str] = field(default_factory=dict)  # account id → guardian / pupil
    prefs: dict[int, dict[str, Any]] = field(default_factory=dict)
    students_of: dict[int, set[int]] = field(default_factory=dict)  # account → its children
    multi_child: int = 0


async def _link_families(
    sessions: async_sessionmaker[AsyncSession], model: Model, rng: random.Random, now: datetime
) -> _Families:
    """Accounts for a share of the guardians (and of the older pupils), linked directly (linking
    has its own benchmarks), with a mix of preferences."""
    families = _Families()
    async with sessions() as session:
        children: defaultdict[int, set[int]] = defaultdict(set)
        for guardian_id, student_id in await session.execute(
            select(GuardianLink.guardian_id, GuardianLink.student_id).order_by(
                GuardianLink.guardian_id, GuardianLink.student_id
            )
        ):
            children[guardian_id].add(student_id)
        older = list(
            (
                await session.execute(
                    select(Student.id)
                    .join(SchoolClass, SchoolClass.id == Student.class_id)
                    .where(SchoolClass.grade >= 5, Student.left_on.is_(None))
                    .order_by(Student.id)
                )
            ).scalars()
        )
        people: list[tuple[str, int]] = [
            ("guardian", g) for g in sorted(children) if rng.random() < model.guardians_linked
        ]
        people += [("pupil", s) for s in older if rng.random() < model.pupil_accounts]
        chats = [FIRST_CHAT + n for n in range(len(people))]
        if not people:
            return families
        await session.execute(
            insert(Account),
            [
                {
                    "messenger": Messenger.TELEGRAM,
                    "bot": "school",  # the school's own bot
                    "user_key": str(chat),
                    "chat_key": str(chat),
                    "locale": "ru",
                    "is_active": True,
                    "consent_given_at": now,
                    "created_at": now,
                }
                for chat in chats
            ],
        )
        ids = dict(
            (
                await session.execute(
                    select(Account.user_key, Account.id).where(Account.bot == "school")
                )
            ).all()
        )
        links = []
        for (role, person), chat in zip(people, chats, strict=True):
            account_id = int(ids[str(chat)])
            families.accounts[account_id] = role
            column = "guardian_id" if role == "guardian" else "student_id"
            links.append(
                {
                    "account_id": account_id,
                    column: person,
                    "method": LinkMethod.INVITE,
                    "linked_at": now,
                }
            )
            kids = children[person] if role == "guardian" else {person}
            families.students_of[account_id] = set(kids)
            families.multi_child += len(kids) > 1
        for row in links:  # executemany needs the same keys in every row
            row.setdefault("guardian_id", None)
            row.setdefault("student_id", None)
        await session.execute(insert(AccountLink), links)
        for account_id in families.accounts:
            draw = rng.random()
            if draw < model.quiet_off:
                quiet: tuple[clock_time | None, clock_time | None] = (None, None)
            elif draw < model.quiet_off + model.quiet_22_07:
                quiet = (clock_time(22), clock_time(7))
            else:
                quiet = (clock_time(21), clock_time(7))
            families.prefs[account_id] = {
                "marks": rng.random() >= model.marks_off,
                "absences": rng.random() >= model.absences_off,
                "timetable_changes": rng.random() >= model.changes_off,
                "quiet_from": quiet[0],
                "quiet_to": quiet[1],
            }
        await session.execute(
            insert(NotificationPreference),
            [{"account_id": a, **p} for a, p in families.prefs.items()],
        )
        # A bulk insert fills a None with the column's default (21:00–07:00): set "off" after.
        off = [a for a, p in families.prefs.items() if p["quiet_from"] is None]
        if off:
            await session.execute(
                update(NotificationPreference)
                .where(NotificationPreference.account_id.in_(off))
                .values(quiet_from=None, quiet_to=None)
            )
        await session.commit()
    return families


# --- the day's journal -----------------------------------------------------------------------


async def _class_lessons(
    sessions: async_sessionmaker[AsyncSession], day: date
) -> list[TimetableLesson]:
    reader = Reader.operator("bench")
    async with sessions() as session:
        classes = list((await session.execute(select(SchoolClass.id))).scalars())
        lessons: list[TimetableLesson] = []
        for class_id in sorted(classes):
            lessons += (await class_timetable(session, class_id, day, reader)).lessons
    return lessons


async def _change_rows(
    sessions: async_sessionmaker[AsyncSession],
    day: date,
    count: int,
    last_kind: str,
    rng: random.Random,
) -> list[dict[str, str]]:
    """A substitution sheet for ``day``: lessons taken by a teacher free at that period (the
    last row a room change or a cancellation), as a head teacher posts them."""
    if count <= 0:
        return []
    lessons = [
        lesson
        for lesson in await _class_lessons(sessions, day)
        if lesson.change is None and not lesson.cancelled and lesson.teacher_id is not None
    ]
    async with sessions() as session:
        staff = dict((await session.execute(select(Staff.id, Staff.external_id))).all())
        classes = dict(
            (await session.execute(select(SchoolClass.id, SchoolClass.external_id))).all()
        )
        subjects = dict((await session.execute(select(Subject.id, Subject.external_id))).all())
    teaching = {t for t in (lesson.teacher_id for lesson in lessons) if t is not None}
    busy: defaultdict[int, set[int]] = defaultdict(set)
    for lesson in lessons:
        busy[lesson.period].add(lesson.teacher_id or 0)
    rows: list[dict[str, str]] = []
    taken: set[tuple[int, int]] = set()
    for lesson in rng.sample(lessons, len(lessons)):
        if len(rows) == count:
            break
        if (lesson.class_id, lesson.period) in taken:
            continue
        row = {
            "date": day.isoformat(),
            "period": str(lesson.period),
            "class": str(classes[lesson.class_id]),
            "subject": str(subjects[lesson.subject_id]),
            "absent_teacher": str(staff[int(lesson.teacher_id or 0)]),
            "reason": "Больничный лист",
        }
        if lesson.group_id is not None:
            continue  # a whole-class lesson keeps the sheet simple
        if len(rows) == count - 1 and last_kind == "room_change":
            row |= {"kind": "room_change", "room": "Библиотека"}
            del row["absent_teacher"], row["reason"]
        elif len(rows) == count - 1 and last_kind == "cancellation":
            row |= {"kind": "cancellation", "teacher": "отмена"}
        else:
            free = sorted(teaching - busy[lesson.period])
            if not free:
                continue
            substitute = rng.choice(free)
            busy[lesson.period].add(substitute)
            row |= {"kind": "substitution", "teacher": str(staff[substitute])}
        taken.add((lesson.class_id, lesson.period))
        rows.append(row)
    return rows


def _mark(rng: random.Random, number: int) -> NewMark:
    draw, total = rng.random(), 0.0
    for value, numeric, share in MARK_VALUES:
        total += share
        if draw < total:
            return NewMark(number, value, numeric)
    return NewMark(number, "4", 4)


async def _plan_lessons(
    sessions: async_sessionmaker[AsyncSession],
    model: Model,
    rng: random.Random,
    day: date,
) -> list[_Lesson]:
    """Today's lessons (after the morning's substitutions) with who is absent and who gets a
    mark; the chance of a mark at a lesson makes ``marks_per_pupil`` marks a pupil."""
    found = [
        lesson
        for lesson in await _class_lessons(sessions, day)
        if not lesson.cancelled and lesson.teacher_id is not None and lesson.moved_to is None
    ]
    async with sessions() as session:
        pupils = {id(lesson): await pupils_of(session, slot_of(lesson, day)) for lesson in found}
    everyone = sorted({p.student_id for group in pupils.values() for p in group})
    ill = {s for s in everyone if rng.random() < model.ill_share}
    seats = sum(len(group) for group in pupils.values())
    chance = min(1.0, model.marks_per_pupil * len(everyone) / seats) if seats else 0.0
    planned = []
    for lesson in found:
        begins = _local(day, lesson.starts_at or clock_time(8 + lesson.period))
        ends = _local(day, lesson.ends_at) if lesson.ends_at else begins + timedelta(minutes=40)
        entry = _Lesson(slot_of(lesson, day), int(lesson.teacher_id or 0), begins, ends)
        for pupil in pupils[id(lesson)]:
            if pupil.student_id in ill:
                entry.absent[pupil.student_id] = AttendanceCode.ABSENT
            elif rng.random() < model.lesson_absence:
                late = rng.random() < 0.5
                entry.absent[pupil.student_id] = (
                    AttendanceCode.LATE if late else AttendanceCode.ABSENT
                )
                if late and rng.random() < chance:
                    entry.marks.append(_mark(rng, pupil.number))
            elif rng.random() < chance:
                entry.marks.append(_mark(rng, pupil.number))
        planned.append(entry)
    return planned


def _save_time(model: Model, rng: random.Random, lesson: _Lesson, day: date) -> datetime:
    draw = rng.random()
    if draw < model.saves_in_class:
        return lesson.ends - timedelta(seconds=rng.uniform(0, 300))
    if draw < model.saves_in_class + model.saves_after_school:
        start = max(lesson.ends, _local(day, "15:00"))
        return start + timedelta(seconds=rng.uniform(0, 5 * 3600))
    return _local(day, "20:00") + timedelta(seconds=rng.uniform(0, 2 * 3600))


# --- the virtual day -------------------------------------------------------------------------


Action = Callable[[datetime], Awaitable[None]]


class _Day:
    """The event-driven virtual clock, the notifier's loop and the bot's queue model."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], model: Model) -> None:
        self.sessions = sessions
        self.model = model
        self.clock = FrozenClock(_local(DAY, model.start))
        self.rules = PushRules(timezone=TIMEZONE, window=timedelta(seconds=model.window))
        self._actions: list[tuple[datetime, int, Action]] = []
        self._order = itertools.count()
        self.queue: list[_Message] = []
        self.sent: list[_Message] = []
        self._free = self.clock.now()  # the bot's next free send slot
        self._chat_last: dict[int, datetime] = {}
        self.peak_backlog = (0, self.clock.now())  # due but not yet sent, and when
        self.steps = 0
        self.writes = Counter[str]()
        self.fan_out = Counter[str]()
        self.write_seconds = 0.0
        self.notify_seconds = 0.0

    def at(self, when: datetime, action: Action) -> None:
        heapq.heappush(self._actions, (when, next(self._order), action))

    async def run(self, until: datetime) -> None:
        gap = timedelta(seconds=1 / self.model.rate)
        poll = timedelta(seconds=self.model.poll)
        ahead = max(1, int(self.model.rate * self.model.poll))
        now = self.clock.now()
        while now <= until:
            self.clock.move_to(now)
            self.steps += 1
            started = time.perf_counter()
            while self._actions and self._actions[0][0] <= now:
                _when, _n, action = heapq.heappop(self._actions)
                await action(now)
            self.write_seconds += time.perf_counter() - started
            started = time.perf_counter()
            async with self.sessions() as session:
                done = [m for m in self.queue if m.at <= now]
                if done:
                    await record_sent(
                        session,
                        [Sent(m.delivery_ids, f"m{n}", m.at) for n, m in enumerate(done)],
                    )
                    self.queue = [m for m in self.queue if m.at > now]
                    self.sent += done
                    await session.commit()
                while True:
                    report = await fan_out(session, now, self.rules)
                    await session.commit()
                    if not report.events:
                        break
                    self.fan_out["events"] += report.events
                    self.fan_out["pending"] += report.pending
                    self.fan_out["skipped"] += report.skipped
                room = ahead - len(self.queue)
                while room > 0:
                    busy = {m.account_id for m in self.queue}
                    claims = await claim_due(session, now, limit=room, busy=busy)
                    await session.commit()
                    if not claims:
                        break
                    for claim in claims:
                        last = self._chat_last.get(claim.account_id)
                        at = max(now, self._free)
                        if last is not None:
                            at = max(at, last + timedelta(seconds=1))
                        self._free = at + gap
                        self._chat_last[claim.account_id] = at
                        self.queue.append(_Message(claim.account_id, claim.delivery_ids, now, at))
                    room = ahead - len(self.queue)
                due = await session.scalar(
                    select(func.count())
                    .select_from(Delivery)
                    .where(Delivery.state == DeliveryState.PENDING, Delivery.not_before <= now)
                )
                following = await session.scalar(
                    select(func.min(Delivery.not_before)).where(
                        Delivery.state == DeliveryState.PENDING, Delivery.not_before > now
                    )
                )
            self.notify_seconds += time.perf_counter() - started
            backlog = int(due or 0) + len(self.queue)
            if backlog > self.peak_backlog[0]:
                self.peak_backlog = (backlog, now)
            candidates = []
            if self._actions:
                candidates.append(self._actions[0][0])
            if self.queue:  # claim again when half the queue has gone out
                times = sorted(m.at for m in self.queue)
                candidates.append(max(times[len(times) // 2], now + gap))
            elif backlog:
                candidates.append(now + poll)
            if following is not None:
                candidates.append(_utc(following))
            if not candidates:
                break
            now = max(min(candidates), now + timedelta(milliseconds=1))

    # -- the writes, as the app makes them --

    def substitutions(self, day: date, count: int, last_kind: str, rng: random.Random) -> Action:
        async def post(now: datetime) -> None:
            rows = await _change_rows(self.sessions, day, count, last_kind, rng)
            if rows:
                report = await service.import_rows(
                    self.sessions,
                    {"timetable_changes": rows},
                    now=now,
                    today=DAY,
                    label="journal",
                )
                if report.events < len(rows):
                    raise RuntimeError(f"the substitution sheet changed too little: {report}")
                self.writes["timetable_changes"] += len(rows)

        return post

    def roll_call(self, lesson: _Lesson) -> Action:
        async def save(now: datetime) -> None:
            async with self.sessions() as session:
                reader = Reader(label="telegram", staff_id=lesson.teacher_id, today=DAY)
                saved = await save_roll_call(
                    session, reader, lesson.slot, lesson.absent, now=now, today=DAY
                )
                await session.commit()
            self.writes["absences"] += saved.added
            self.writes["roll_call_saves"] += 1

        return save

    def marks(self, lesson: _Lesson) -> Action:
        async def save(now: datetime) -> None:
            async with self.sessions() as session:
                reader = Reader(label="telegram", staff_id=lesson.teacher_id, today=DAY)
                saved = await save_marks(
                    session,
                    reader,
                    lesson.slot,
                    lesson.marks,
                    work_type_id=None,
                    now=now,
                    today=DAY,
                )
                await session.commit()
            self.writes["marks"] += saved.added
            self.writes["mark_saves"] += 1

        return save

    def homework(self, lesson: _Lesson) -> Action:
        async def save(now: datetime) -> None:
            async with self.sessions() as session:
                reader = Reader(label="telegram", staff_id=lesson.teacher_id, today=DAY)
                await assign_homework(
                    session,
                    reader,
                    lesson.slot,
                    "§ 12, упражнения 3–5",
                    (),
                    pupils=None,
                    due=None,
                    now=now,
                    today=DAY,
                )
                await session.commit()
            self.writes["homework"] += 1

        return save


# --- the figures -----------------------------------------------------------------------------


def _seconds(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50_s": None, "p95_s": None, "max_s": None, "min_s": None}
    return {
        "count": len(values),
        "p50_s": round(percentile(values, 0.5), 1),
        "p95_s": round(percentile(values, 0.95), 1),
        "max_s": round(max(values), 1),
        "min_s": round(min(values), 1),
    }


def _spread(values: list[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "p95": 0, "max": 0}
    return {
        "mean": round(sum(values) / len(values), 2),
        "p95": percentile([float(v) for v in values], 0.95),
        "max": max(values),
    }


def _fluid_waits(arrivals: dict[int, float], rate: float) -> tuple[dict[int, float], float]:
    """FIFO wait (s) of what arrives in each second, for a server of ``rate`` a second, and
    the longest queue (messages)."""
    waits: dict[int, float] = {}
    backlog = longest = 0.0
    last = max(arrivals, default=-1)
    for second in range(min(arrivals, default=0), last + 1):
        came = arrivals.get(second, 0.0)
        waits[second] = (backlog + came / 2) / rate
        backlog = max(0.0, backlog + came - rate)
        longest = max(longest, backlog)
    return waits, longest


def _spread_out(arrivals: dict[int, float], seconds: int) -> dict[int, float]:
    """The arrivals of schools whose days are shifted evenly over ``seconds`` (a moving sum)."""
    if not arrivals or seconds <= 1:
        return dict(arrivals)
    spread: defaultdict[int, float] = defaultdict(float)
    for second, count in arrivals.items():
        share = count / seconds
        for shift in range(seconds):
            spread[second + shift] += share
    return dict(spread)


def _peak_minute(arrivals: dict[int, float]) -> float:
    minutes: defaultdict[int, float] = defaultdict(float)
    for second, count in arrivals.items():
        minutes[second // 60] += count
    return max(minutes.values(), default=0.0)


def _shared(
    base: list[tuple[float, int]], arrivals: dict[int, float], rate: float
) -> dict[str, Any]:
    """Each push's delay through one bot of ``rate`` taking ``arrivals``: its own wait before
    the claim (``base``: seconds, and the second it was claimed) plus the queue's."""
    waits, longest = _fluid_waits(arrivals, rate)
    delays = [b + waits.get(s, 0.0) for b, s in base]
    figures = _seconds(delays)
    return {
        "delay_p50_s": figures["p50_s"],
        "delay_p95_s": figures["p95_s"],
        "delay_max_s": figures["max_s"],
        "longest_queue": round(longest),
        "peak_minute_per_second": round(_peak_minute(arrivals) / 60, 1),
    }


def _rate_for_goal(base: list[tuple[float, int]], arrivals: dict[int, float]) -> float:
    """The lowest rate (to 0.1 a second) at which the p95 delay stays under the goal."""
    low, high = 0.1, max(1.0, _peak_minute(arrivals) / 60 * 2)
    goal = GOAL.total_seconds()
    while high - low > 0.1:
        middle = (low + high) / 2
        waits, _longest = _fluid_waits(arrivals, middle)
        if percentile([b + waits.get(s, 0.0) for b, s in base], 0.95) < goal:
            high = middle
        else:
            low = middle
    return round(high, 1)


async def _analyse(
    sessions: async_sessionmaker[AsyncSession],
    day: _Day,
    families: _Families,
    model: Model,
    students: int,
) -> dict[str, Any]:
    async with sessions() as session:
        rows = (
            await session.execute(
                select(
                    Delivery.id,
                    Delivery.account_id,
                    Delivery.state,
                    Delivery.last_error,
                    Delivery.sent_at,
                    OutboxEvent.id,
                    OutboxEvent.kind,
                    OutboxEvent.occurred_at,
                    OutboxEvent.student_id,
                    OutboxEvent.class_id,
                ).join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
            )
        ).all()
        events = (
            await session.execute(
                select(
                    OutboxEvent.id,
                    OutboxEvent.kind,
                    OutboxEvent.student_id,
                    OutboxEvent.class_id,
                    OutboxEvent.group_id,
                    OutboxEvent.payload,
                ).where(OutboxEvent.occurred_at >= _local(DAY, "00:00"), ~OutboxEvent.silent)
            )
        ).all()
        class_of = dict((await session.execute(select(Student.id, Student.class_id))).all())
        members = (
            await session.execute(select(GroupMember.group_id, GroupMember.student_id))
        ).all()
    message_of: dict[int, _Message] = {}
    duplicates = 0
    for message in day.sent:
        for delivery_id in message.delivery_ids:
            duplicates += delivery_id in message_of
            message_of[delivery_id] = message
    states = Counter(f"{DeliveryState(r[2]).value}{'/' + r[3] if r[3] else ''}" for r in rows)
    tz = TIMEZONE
    outside: list[float] = []
    held: list[float] = []
    by_kind: defaultdict[str, list[float]] = defaultdict(list)
    in_quiet_sends = 0
    base: list[tuple[float, int]] = []
    start = _local(DAY, "00:00")
    for (
        delivery_id,
        account_id,
        state,
        _error,
        sent_at,
        _event,
        kind,
        occurred,
        _s,
        _c,
    ) in rows:
        if DeliveryState(state) != DeliveryState.SENT or sent_at is None:
            continue
        prefs = families.prefs.get(account_id, {})
        quiet = prefs.get("quiet_from"), prefs.get("quiet_to")
        occurred_at, sent = _utc(occurred), _utc(sent_at)
        delay = (sent - occurred_at).total_seconds()
        if in_quiet_hours(sent.astimezone(tz).time(), *quiet):
            in_quiet_sends += 1
        if in_quiet_hours(occurred_at.astimezone(tz).time(), *quiet):
            held.append(delay)
            continue
        outside.append(delay)
        by_kind[str(kind)].append(delay)
        carried = message_of.get(delivery_id)
        if carried is not None:
            base.append(
                (
                    (carried.claimed - occurred_at).total_seconds(),
                    int((carried.claimed - start).total_seconds()),
                )
            )
    # Who should have been told: the accounts linked to the pupil (or to each pupil of the
    # class) with the kind switched on; computed here, not by the fan-out.
    expected: set[tuple[int, int]] = set()
    accounts_of: defaultdict[int, list[int]] = defaultdict(list)
    for account_id, kids in families.students_of.items():
        for kid in kids:
            accounts_of[kid].append(account_id)
    pupils_of_class: defaultdict[int, list[int]] = defaultdict(list)
    for student_id, class_id in class_of.items():
        if class_id is not None:
            pupils_of_class[class_id].append(student_id)
    pupils_of_group: defaultdict[int, list[int]] = defaultdict(list)
    for group_id, student_id in members:
        pupils_of_group[group_id].append(student_id)
    for event_id, kind, student_id, class_id, group_id, payload in events:
        if kind == EventKind.TIMETABLE_CHANGED and payload.get("date") not in (
            DAY.isoformat(),
            (DAY + timedelta(days=1)).isoformat(),
        ):
            continue
        if student_id is not None:
            about = [student_id]
        elif group_id is not None:
            about = pupils_of_group.get(group_id, [])
        else:
            about = pupils_of_class.get(class_id, [])
        preference = PREFERENCE[EventKind(kind)]
        for kid in about:
            for account_id in accounts_of.get(kid, ()):
                if families.prefs[account_id].get(preference, True):
                    expected.add((event_id, account_id))
    sent_pairs = Counter((r[5], r[1]) for r in rows if DeliveryState(r[2]) == DeliveryState.SENT)
    per_account = Counter(m.account_id for m in day.sent)
    counts = [per_account.get(a, 0) for a in families.accounts]
    guardians = [per_account.get(a, 0) for a, r in families.accounts.items() if r == "guardian"]
    pupils = [per_account.get(a, 0) for a, r in families.accounts.items() if r == "pupil"]
    minutes = Counter(
        m.at.astimezone(tz).replace(second=0, microsecond=0).strftime("%d.%m %H:%M")
        for m in day.sent
    )
    peak_minute, peak_count = minutes.most_common(1)[0] if minutes else ("", 0)
    today = DAY.strftime("%d.%m")
    in_day = Counter({k: n for k, n in minutes.items() if k.startswith(today)})
    day_minute, day_count = in_day.most_common(1)[0] if in_day else ("", 0)
    # The region: a bot per school changes nothing per family; one shared bot takes every
    # school's sends (the same bells: the peaks coincide).
    scale = model.region_pupils / max(1, students)
    arrivals_school = Counter(int((m.claimed - start).total_seconds()) for m in day.sent)
    arrivals = {s: n * scale for s, n in arrivals_school.items()}
    region_messages = len(day.sent) * scale
    peak_rate = peak_count * scale / 60
    spread = _spread_out(arrivals, SPREAD)
    shared: dict[str, Any] = {}
    for name, load in (("schools_in_step", arrivals), ("schools_spread_over_10_min", spread)):
        if base:
            shared[name] = _shared(base, load, model.rate) | {
                "rate_needed_for_p95_goal": _rate_for_goal(base, load)
            }
    delays = _seconds(outside)
    return {
        "events": dict(day.writes),
        "events_by_kind": dict(Counter(str(e[1]) for e in events)),
        "fan_out": dict(day.fan_out),
        "deliveries": dict(states),
        "messages": len(day.sent),
        "delay_outside_quiet_hours": delays,
        "delay_outside_quiet_hours_by_kind": {k: _seconds(v) for k, v in sorted(by_kind.items())},
        "held_by_quiet_hours": _seconds(held),
        "sent_inside_quiet_hours": in_quiet_sends,
        "goal_p95_s": GOAL.total_seconds(),
        "goal_met": delays["p95_s"] is not None
        and float(delays["p95_s"] or 0) < GOAL.total_seconds(),
        "messages_per_account": {
            "all": _spread(counts),
            "guardians": _spread(guardians),
            "pupils": _spread(pupils),
            "told_anything": sum(1 for c in counts if c),
        },
        "peak": {
            "minute": peak_minute,
            "messages_in_minute": peak_count,
            "per_second": round(peak_count / 60, 2),
            "minute_of_the_school_day": day_minute,
            "messages_in_that_minute": day_count,
            "backlog": day.peak_backlog[0],
            "backlog_at": day.peak_backlog[1].astimezone(tz).strftime("%d.%m %H:%M:%S"),
        },
        "check": {
            "expected_pairs": len(expected),
            "sent_pairs": len(sent_pairs),
            "missing": len(expected - set(sent_pairs)),
            "unexpected": len(set(sent_pairs) - expected),
            "sent_twice": sum(1 for n in sent_pairs.values() if n > 1) + duplicates,
            "left_pending": sum(
                1
                for r in rows
                if DeliveryState(r[2]) in (DeliveryState.PENDING, DeliveryState.SENDING)
            ),
        },
        "region": {
            "pupils": model.region_pupils,
            "scale": round(scale, 2),
            "bot_per_school": {
                "schools_of_this_size": round(scale, 1),
                "messages_per_bot_per_day": len(day.sent),
                "peak_per_second_per_bot": round(peak_count / 60, 2),
                "delay_p95_s": delays["p95_s"],
            },
            "one_shared_bot": {
                "messages_per_day": round(region_messages),
                "peak_minute_per_second": round(peak_rate, 1),
                "bot_rate_per_second": model.rate,
                "model": "a fluid FIFO queue over this school's claims × scale; in step: every "
                "school rings the same bells; spread: the schools' days shifted evenly over "
                "10 minutes",
                **shared,
            },
        },
    }


# --- the run ---------------------------------------------------------------------------------


async def _mark_history_processed(sessions: async_sessionmaker[AsyncSession], at: datetime) -> None:
    async with sessions() as session:
        await session.execute(
            update(OutboxEvent).where(OutboxEvent.processed_at.is_(None)).values(processed_at=at)
        )
        await session.commit()


def _table(result: dict[str, Any]) -> None:
    d = result["delay_outside_quiet_hours"]
    per = result["messages_per_account"]["all"]
    held = result["held_by_quiet_hours"]
    shared = result["region"]["one_shared_bot"]
    step = shared.get("schools_in_step", {})
    spread = shared.get("schools_spread_over_10_min", {})
    peak = result["peak"]
    events = result["events"]
    lines = [
        (
            "school (pupils / linked accounts)",
            f"{result['school']['students']} / {result['school']['accounts']}",
        ),
        (
            "events (marks / absences / changes / homework)",
            f"{events.get('marks', 0)} / {events.get('absences', 0)} / "
            f"{events.get('timetable_changes', 0)} / {events.get('homework', 0)}",
        ),
        ("messages sent (deliveries)", f"{result['messages']} ({result['check']['sent_pairs']})"),
        ("delay outside quiet hours p50/p95/max", f"{d['p50_s']} / {d['p95_s']} / {d['max_s']} s"),
        ("held by quiet hours (count, max)", f"{held['count']}, {held['max_s']} s"),
        ("messages per account: mean/p95/max", f"{per['mean']} / {per['p95']} / {per['max']}"),
        (
            "peak minute (per bot)",
            f"{peak['minute']}: {peak['messages_in_minute']} "
            f"({peak['per_second']}/s), backlog {peak['backlog']}",
        ),
        ("region: one shared bot, messages/day", f"{shared['messages_per_day']:,}"),
        ("region: peak minute vs 30/s", f"{shared['peak_minute_per_second']}/s"),
        (
            "shared bot in step: p95 / rate for goal",
            f"{step.get('delay_p95_s')} s / {step.get('rate_needed_for_p95_goal')}/s "
            f"(max {step.get('delay_max_s')} s, queue {step.get('longest_queue')})",
        ),
        (
            "shared bot spread 10 min: p95 / rate",
            f"{spread.get('delay_p95_s')} s / {spread.get('rate_needed_for_p95_goal')}/s "
            f"(peak {spread.get('peak_minute_per_second')}/s)",
        ),
        ("goal p95 < 15 min (bot per school)", "met" if result["goal_met"] else "MISSED"),
        ("wall time (setup / day)", f"{result['seconds']['setup']} / {result['seconds']['day']} s"),
    ]
    width = max(len(a) for a, _b in lines)
    for a, b in lines:
        print(f"{a.ljust(width)}  {b}")


async def run(
    *,
    demo: Demo | None = None,
    out: Path | None = None,
    backend: str = "sqlite",
    **overrides: Any,
) -> list[Path]:
    """Simulate the day; ``overrides`` change :class:`Model` fields (sizes, shares, times)."""
    model = replace(Model(), **overrides)
    rng = random.Random(model.seed)
    started = time.perf_counter()
    if demo is None:
        demo = await demo_database(backend, model.students)
    elif demo.students == 0:
        demo = await load_demo(demo.url, model.students)
    engine = create_engine(demo.url)
    try:
        sessions = create_sessionmaker(engine)
        begin = _local(DAY, model.start)
        await _mark_history_processed(sessions, begin)
        families = await _link_families(sessions, model, rng, begin)
        day = _Day(sessions, model)
        last_write = _local(DAY, model.last_write)
        planned: dict[str, Any] = {}

        async def morning(now: datetime) -> None:
            await day.substitutions(DAY, model.substitutions_today, "room_change", rng)(now)
            lessons = await _plan_lessons(sessions, model, rng, DAY)
            planned["lessons"] = len(lessons)
            for lesson in lessons:
                if lesson.absent:
                    roll = lesson.begins + timedelta(seconds=rng.uniform(120, 480))
                    day.at(min(roll, last_write), day.roll_call(lesson))
                if rng.random() < model.homework_share:
                    set_at = _save_time(model, rng, lesson, DAY) + timedelta(seconds=30)
                    day.at(min(set_at, last_write), day.homework(lesson))
                if lesson.marks:
                    day.at(min(_save_time(model, rng, lesson, DAY), last_write), day.marks(lesson))

        day.at(_local(DAY, "07:20"), morning)
        tomorrow = DAY + timedelta(days=1)
        day.at(
            _local(DAY, "14:00"),
            day.substitutions(tomorrow, model.changes_tomorrow, "cancellation", rng),
        )
        setup = time.perf_counter() - started
        started = time.perf_counter()
        await day.run(until=_local(tomorrow, "12:00"))
        elapsed = time.perf_counter() - started
        result: dict[str, Any] = {
            "benchmark": "region_day",
            "backend": demo.backend,
            "day": DAY.isoformat(),
            "model": asdict(model),
            "simulated": [
                "the clock (virtual, event-driven; the notifier woken by each write)",
                "sending: a queue at the bot's rate and 1/s per chat (no HTTP, no failures)",
                "who gets a mark, who is absent, when teachers save (seeded random, the model)",
                "the region: this school × region_pupils / students, all schools in step",
            ],
            "real": [
                "marks via core.teaching.marks.save_marks, absences via save_roll_call",
                "substitutions via the importer (a substitution sheet)",
                "outbox, fan_out (access policy, preferences, coalescing, quiet hours)",
                "claim_due (one message per chat, busy chats left) and record_sent",
            ],
            "not_modelled": [
                "corrections, digests, weekly summary, early warning, staff pushes"
                + ("" if model.homework_share else ", homework"),
            ],
            "school": {
                "students": demo.students,
                "lessons": planned.get("lessons", 0),
                "accounts": len(families.accounts),
                "guardian_accounts": sum(r == "guardian" for r in families.accounts.values()),
                "pupil_accounts": sum(r == "pupil" for r in families.accounts.values()),
                "guardians_with_2_plus_children": families.multi_child,
                "quiet_off": sum(p["quiet_from"] is None for p in families.prefs.values()),
                "quiet_22_07": sum(
                    p["quiet_from"] == clock_time(22) for p in families.prefs.values()
                ),
                "marks_off": sum(not p["marks"] for p in families.prefs.values()),
                "absences_off": sum(not p["absences"] for p in families.prefs.values()),
                "changes_off": sum(not p["timetable_changes"] for p in families.prefs.values()),
            },
            "steps": day.steps,
        }
        result |= await _analyse(sessions, day, families, model, demo.students)
        result["seconds"] = {
            "setup": round(setup, 1),
            "day": round(elapsed, 1),
            "writes": round(day.write_seconds, 1),
            "notifier": round(day.notify_seconds, 1),
            "demo_import": round(demo.import_seconds, 1),
        }
        result["machine"] = machine()
    finally:
        await engine.dispose()
    name = f"region_day-{demo.backend}-{demo.students}.json"
    path = write_json(name, result, out)
    _table(result)
    print(f"written {path}")
    return [path]
