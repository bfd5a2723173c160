"""Telegram's limits on what a message may carry, applied in one place.

A message holds at most 4096 characters after entity parsing; the views build messages line by
line, each line with balanced tags, so cutting between lines keeps the HTML valid.
"""

from __future__ import annotations

import html
import re

from aiogram.utils.i18n import gettext as _

MESSAGE_LIMIT = 4096
# Room kept for the "…and more" line.
_RESERVE = 200
_TAG = re.compile(r"<[^>]+>")


def visible_length(markup: str) -> int:
    """Characters Telegram counts: the text without tags, entities decoded."""
    return len(html.unescape(_TAG.sub("", markup)))


def fit(lines: list[str]) -> str:
    """Join ``lines``; when too long, keep the first ones and say that the rest is cut."""
    text = "\n".join(lines)
    if visible_length(text) <= MESSAGE_LIMIT:
        return text
    kept: list[str] = []
    used = 0
    for line in lines:
        size = visible_length(line) + 1
        if used + size > MESSAGE_LIMIT - _RESERVE:
            break
        kept.append(line)
        used += size
    kept.append(_("… the rest does not fit into one message; open a subject for its full list."))
    return "\n".join(kept)
