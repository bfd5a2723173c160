"""MAX's message ids are strings (``mid``); aiogram's messages have int ids.

Each mid gets a stable int alias (a hash of the mid), so the same MAX message has the same id
in every process and after a restart: a delivery stores it as its ``message_key`` and a family's
reply to that message finds it again. The way back (alias → mid, for edits and replies the bot
makes) is remembered for recent messages only, which is all the handlers need: a button press
and a reply carry their message's mid, and it is remembered as the update is translated.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

# 48 bits: a collision between two messages of one chat is negligible, and the number stays
# exact in JSON readers that use doubles.
_ALIAS_BYTES = 6


def alias_of(mid: str) -> int:
    return int.from_bytes(hashlib.blake2b(mid.encode(), digest_size=_ALIAS_BYTES).digest())


class MessageIds:
    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._mids: OrderedDict[int, str] = OrderedDict()
        self._files: OrderedDict[int, str] = OrderedDict()  # token's alias → download link

    def alias(self, mid: str) -> int:
        """The int id aiogram sees for ``mid``; remembered for the way back."""
        alias = alias_of(mid)
        self._mids[alias] = mid
        self._mids.move_to_end(alias)
        if len(self._mids) > self._capacity:
            self._mids.popitem(last=False)
        return alias

    def mid(self, alias: int) -> str | None:
        return self._mids.get(alias)

    def remember_file(self, token: str, url: str) -> None:
        """A user's file as an update carried it: aiogram knows it by its token (``file_id``);
        downloading it needs the link MAX gave beside it (bot.max.session)."""
        alias = alias_of(token)
        self._files[alias] = url
        self._files.move_to_end(alias)
        if len(self._files) > self._capacity:
            self._files.popitem(last=False)

    def file_link(self, alias: int) -> str | None:
        """The link of a remembered file, by its token's alias."""
        return self._files.get(alias)
