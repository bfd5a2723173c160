"""The push budget: the pacer uses Telegram's budget without ever exceeding it, and the notifier
loses and repeats nothing on the way (issue 14, item 5; the full run is ``python -m bench
push_budget``).

Nothing here times the machine: the pacer's schedule is checked on a simulated clock with
answers delayed as a network would, and the smoke runs of the bench against the fake Bot API
check the fake's own record (no 429, never more than the limits in any second, every push once).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from itertools import pairwise

import pytest

from bench import push_budget
from bot.notifier.pacer import PaceLimits, Pacer


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Departure:
    chat: str
    left: float
    answered: float


def simulate(
    pacer: Pacer, ticks: Ticks, chats: int, each: int, delay: random.Random | float
) -> list[Departure]:
    """Send ``each`` messages to each of ``chats`` chats through ``pacer`` as the notifier's
    dispatcher does (the earliest-ready chat first, each answer after a network delay), on a
    simulated clock; every departure and its answer's arrival."""
    waiting = {str(c): each for c in range(chats)}
    turn = {chat: n for n, chat in enumerate(waiting)}  # ties go first come, first served
    answers: list[tuple[float, str]] = []  # (when, chat) of sends under way
    log: list[Departure] = []
    while waiting or answers:
        ready = min(
            ((pacer.ready_at(chat), turn[chat], chat) for chat in waiting),
            default=(float("inf"), 0, ""),
        )
        if answers and answers[0][0] <= ready[0]:
            ticks.now, chat = heapq.heappop(answers)
            pacer.done(chat)
            continue
        ticks.now = max(ticks.now, ready[0])
        chat = ready[2]
        turn[chat] += chats  # back of the line
        pacer.take(chat)
        lag = delay.uniform(0.001, 0.040) if isinstance(delay, random.Random) else delay
        heapq.heappush(answers, (ticks.now + lag, chat))
        log.append(Departure(chat, ticks.now, ticks.now + lag))
        waiting[chat] -= 1
        if not waiting[chat]:
            del waiting[chat]
    return log


def test_no_second_can_hold_more_than_the_budget_whatever_the_network_delays() -> None:
    # A message arrives at Telegram some time between leaving and its answer. For every
    # moment t, count the messages that may have arrived in (t - 1, t]: never above 30.
    ticks = Ticks()
    log = simulate(Pacer(PaceLimits(per_second=30), ticks), ticks, 200, 3, random.Random(14))
    for last in log:
        possible = [d for d in log if d.left <= last.left and d.answered > last.left - 1.0 + 1e-9]
        assert len(possible) <= 30, last
    by_chat: dict[str, list[Departure]] = {}
    for departure in log:
        by_chat.setdefault(departure.chat, []).append(departure)
    for sends in by_chat.values():
        for before, after in pairwise(sends):
            assert after.left >= before.answered + 1.0  # one a second, counted on the answers


def test_the_budget_is_used_up_to_the_answers_delay() -> None:
    # With answers after 5 ms, 600 messages to 200 chats take 20 s / (1 + 0.005) of budget:
    # the spacing has no margin and no idle gap while a chat is ready.
    ticks = Ticks()
    log = simulate(Pacer(PaceLimits(per_second=30), ticks), ticks, 200, 3, 0.005)
    rate = (len(log) - 1) / (log[-1].left - log[0].left)
    assert rate >= 30 / 1.005 * 0.995
    assert rate <= 30
    gaps = [b.left - a.left for a, b in pairwise(log)]
    assert max(gaps) <= 1 / 30 + 0.005 + 1e-9


def test_a_late_timer_does_not_slow_the_schedule() -> None:
    # The event loop wakes a little late for every send; the next slot still follows the
    # scheduled one, so 30 sends still take one second, not 30 × (1/30 + lateness).
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=30), ticks)
    departures = []
    for n in range(31):
        ticks.now = max(ticks.now, pacer.ready_at(str(n))) + 0.002  # 2 ms late each time
        departures.append(ticks.now)
        pacer.take(str(n))
        pacer.done(str(n))  # answered at once
    assert departures[30] - departures[0] == pytest.approx(1.0, abs=0.005)


def test_a_send_under_way_keeps_its_place_in_the_window() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=2), ticks)
    pacer.take("1")
    ticks.now = 0.5
    pacer.take("2")
    assert pacer.ready_at("3") == float("inf")  # both under way: wait for an answer
    ticks.now = 3.0  # the first hung for three seconds
    pacer.done("1")
    assert pacer.ready_at("3") == pytest.approx(4.0)  # a second after its answer
    assert pacer.chat_ready_at("1") == pytest.approx(4.0)


@pytest.mark.parametrize("scenario", ["clean", "5xx", "hangs", "stop"])
async def test_a_small_crowd_arrives_complete_once_and_within_the_limits(
    db_url: str, scenario: str
) -> None:
    outcome = await push_budget.scenario(db_url, scenario, chats=20, each=3, patience=120)
    assert outcome.pushes == 60
    assert (outcome.lost, outcome.duplicated, outcome.not_sent_in_db) == (0, 0, 0)
    assert outcome.refused_429 == 0
    assert outcome.max_in_one_second <= 30
    assert outcome.min_chat_gap >= 1.0
    if scenario == "5xx":
        assert outcome.failed_requests > 0  # the faults did strike
