"""One-shot faults a test arms before the call it wants to break.

A fault without a method matches any call except ``getUpdates``: a dispatcher polling in the
background must not swallow a fault meant for the notifier's next send.  Name ``getUpdates``
explicitly to break polling.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


class Faults:
    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def arm(self, count: int, fault: Fault) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._pending.extend([fault] * count)

    def take(self, method: str, kind: FaultKind) -> Fault | None:
        """Remove and return the first armed fault of this kind that matches ``method``."""
        for index, fault in enumerate(self._pending):
            if fault.kind == kind and fault.matches(method):
                return self._pending.pop(index)
        return None

    @property
    def pending(self) -> list[Fault]:
        return list(self._pending)
