"""One-shot faults a test arms before the call it wants to break.

A fault names an endpoint as "VERB /path" ("POST /messages"), as a path alone ("/messages", any
verb) or not at all.  Without one it matches any call except ``GET /updates``: a dispatcher
polling in the background must not swallow a fault meant for the bot's next send.  Note that
maxapi's dispatcher also calls ``GET /chats/{id}`` for every update it receives, so a test with a
running dispatcher should name the endpoint it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["fail", "hang", "flood", "not_ready"]
POLLING = "GET /updates"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    endpoint: str | None
    status: int = 500
    seconds: float = 0.0

    def matches(self, endpoint: str) -> bool:
        if self.endpoint is None:
            return endpoint != POLLING
        if " " in self.endpoint:
            return self.endpoint.upper() == endpoint.upper()
        return endpoint.split(" ", 1)[1] == self.endpoint


class Faults:
    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def arm(self, count: int, fault: Fault) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._pending.extend([fault] * count)

    def take(self, endpoint: str, kind: FaultKind) -> Fault | None:
        """Remove and return the first armed fault of this kind that matches ``endpoint``."""
        for index, fault in enumerate(self._pending):
            if fault.kind == kind and fault.matches(endpoint):
                return self._pending.pop(index)
        return None

    @property
    def pending(self) -> list[Fault]:
        return list(self._pending)
