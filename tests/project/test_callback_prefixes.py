"""Every kind of button has a prefix of its own: a press is routed by its prefix, and two kinds
sharing one would be told apart only by how many fields their data has."""

from __future__ import annotations

from collections import Counter

from aiogram.filters.callback_data import CallbackData

import handlers.callbacks  # noqa: F401 - defines the buttons' data


def _all(kind: type[CallbackData]) -> list[type[CallbackData]]:
    found: list[type[CallbackData]] = []
    for sub in kind.__subclasses__():
        found += [sub, *_all(sub)]
    return found


def test_no_two_kinds_of_button_share_a_prefix() -> None:
    kinds = [k for k in _all(CallbackData) if k.__module__.startswith("handlers")]
    assert len(kinds) > 30  # every kind of the bot's buttons was found
    prefixes = Counter(k.__prefix__ for k in kinds)
    shared = {prefix: n for prefix, n in prefixes.items() if n > 1}
    assert not shared, shared
