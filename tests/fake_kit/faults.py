"""One-shot faults a test arms before the call it wants to break (shared by both fakes)."""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar


class _Fault(Protocol):
    @property
    def kind(self) -> str: ...

    def matches(self, call: str) -> bool: ...


F = TypeVar("F", bound=_Fault)


class Faults(Generic[F]):
    def __init__(self) -> None:
        self._pending: list[F] = []

    def arm(self, count: int, fault: F) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        self._pending.extend([fault] * count)

    def take(self, call: str, kind: str) -> F | None:
        """Remove and return the first armed fault of this kind that matches ``call``."""
        for index, fault in enumerate(self._pending):
            if fault.kind == kind and fault.matches(call):
                return self._pending.pop(index)
        return None

    @property
    def pending(self) -> list[F]:
        return list(self._pending)
