"""The pacer's arithmetic on a hand-moved clock: global spacing, per chat, per group, 429 pauses."""

from __future__ import annotations

import pytest

from bot.notifier.pacer import MARGIN, PaceLimits, Pacer, is_group


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sends_are_spaced_to_the_overall_rate() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=30), ticks)
    assert pacer.ready_at("1") <= ticks.now
    pacer.take("1")
    assert pacer.ready_at("2") == pytest.approx(ticks.now + MARGIN / 30)
    # Over one second at most 30 sends leave, whatever the number of chats.
    sent = 0
    while True:
        chat = str(sent + 10)
        at = pacer.ready_at(chat)
        if at >= 101.0:
            break
        ticks.now = max(ticks.now, at)
        pacer.take(chat)
        sent += 1
    assert 28 <= sent <= 30


def test_one_chat_waits_a_second_while_others_go_on() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=30), ticks)
    pacer.take("7")
    assert pacer.ready_at("7") == pytest.approx(100.0 + MARGIN)
    ticks.now += 0.1
    assert pacer.ready_at("8") <= ticks.now  # another chat is not held behind chat 7


def test_groups_get_twenty_a_minute() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(), ticks)
    assert is_group("-100123")
    assert not is_group("42")
    pacer.take("-100123")
    assert pacer.ready_at("-100123") == pytest.approx(100.0 + 3.0 * MARGIN)


def test_a_429_pauses_every_chat() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(), ticks)
    pacer.pause(5)
    assert pacer.ready_at("1") == pytest.approx(105.0)
    assert pacer.ready_at("2") == pytest.approx(105.0)
    pacer.pause(1)  # a shorter pause does not cut the longer one short
    assert pacer.ready_at("3") == pytest.approx(105.0)


def test_forgotten_chats_do_not_pile_up() -> None:
    ticks = Ticks()
    pacer = Pacer(PaceLimits(per_second=1000), ticks)
    for chat in range(10_001):
        ticks.now += 0.01
        pacer.take(str(chat))
    assert len(pacer._next_chat) < 200  # only the last second's chats are remembered
