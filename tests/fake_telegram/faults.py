"""One-shot faults a test arms before the call it wants to break.

A fault without a method matches any call except ``getUpdates``: a dispatcher polling in the
background must not swallow a fault meant for the notifier's next send.  Name ``getUpdates``
explicitly to break polling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tests.fake_kit.faults import Faults as SharedFaults

FaultKind = Literal["fail", "hang", "flood"]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    method: str | None
    status: int = 500
    seconds: float = 0.0
    retry_after: int = 1

    def matches(self, method: str) -> bool:
        if self.method is None:
            return method.lower() != "getupdates"
        return self.method.lower() == method.lower()


class Faults(SharedFaults[Fault]):
    """The armed faults of this fake (tests.fake_kit.faults)."""
