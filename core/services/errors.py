"""Errors the services raise; a front end turns them into a polite answer."""

from __future__ import annotations


class NotFoundError(LookupError):
    """The student, class or staff member asked for does not exist."""

    def __init__(self, kind: str, ident: int) -> None:
        super().__init__(f"{kind} {ident} not found")
        self.kind = kind
        self.ident = ident
