"""Why the mail refuses a write or a read: one reason a messenger adapter can put into words."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Refusal(StrEnum):
    NOT_FOUND = "not_found"  # no such thread (or not one the reader may see: no oracle)
    NOT_ALLOWED = "not_allowed"  # the reader may not write about this child / to this person
    CLOSED = "closed"  # the thread is closed
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_MANY_FILES = "too_many_files"
    FILE_TYPE = "file_type"
    FILE_TOO_BIG = "file_too_big"
    TOO_MANY_OPEN = "too_many_open"  # open questions to one recipient
    DAILY_LIMIT = "daily_limit"
    MUTED = "muted"
    ALREADY_REPORTED = "already_reported"


class MessagingRefused(Exception):  # noqa: N818 - a refusal the user is told about, not a bug
    """A write or read the mail refuses; ``limit`` and ``until`` fill in the user's message."""

    def __init__(
        self, reason: Refusal, *, limit: int | None = None, until: datetime | None = None
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.limit = limit
        self.until = until
