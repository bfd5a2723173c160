"""The school's limits on the mail, from the settings (``bot/settings.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MessagingRules:
    timezone: ZoneInfo  # the school's: "today" for the daily limit, office hours, quiet hours
    open_per_recipient: int = 3  # a family member's questions to one person not yet closed
    messages_per_day: int = 20  # a family member's messages in a school day
    max_chars: int = 2000
    max_files: int = 5
    max_file_bytes: int = 10 * MB
