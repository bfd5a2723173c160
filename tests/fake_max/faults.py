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

from tests.fake_kit.faults import Faults as SharedFaults

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


class Faults(SharedFaults[Fault]):
    """The armed faults of this fake (tests.fake_kit.faults)."""
