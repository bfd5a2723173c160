"""The operator's copy of freshly issued codes: a CSV list and a printable HTML sheet.

One code works in both messengers. One card per person with the name, the class, and for each
configured bot its deep link (``https://t.me/<bot>?start=<code>`` on Telegram,
``https://max.ru/<bot>?start=<code>`` on MAX, which hands the code to the bot in its
``bot_started`` event) and the link's QR code (inline SVG, so the sheet is one self-contained
file that prints anywhere). Both files hold live codes: they are created readable by their
owner only.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import segno

from core.i18n import N_
from core.linking.dto import IssuedInvite

Gettext = Callable[[str], str]

_SCAN = N_("Scan the code with your phone or open the link in Telegram:")
_SCAN_MAX = N_("Scan the code with your phone or open the link in MAX:")
_SCAN_EITHER = N_("Scan the code of the messenger you use with your phone or open its link:")
_IN_TELEGRAM = N_("In Telegram")
_IN_MAX = N_("In MAX")
# ``link`` stays Telegram's: lists from before MAX read on unchanged (by name or by position).
# With a MAX bot, ``max_link`` comes last; ``link`` is then empty when there is no Telegram bot.
CSV_HEADER = ("person_id", "kind", "name", "classes", "code", "link", "expires")
CSV_HEADER_WITH_MAX = (*CSV_HEADER, "max_link")
# The longest start parameter each messenger hands to its bot: Telegram 64 characters
# (A-Z, a-z, 0-9, _ and -), MAX 128 (dev.max.ru/help/deeplinks). Codes are 32 characters of
# base64url (core.linking.codes): they fit both; a link that would lose its code is refused.
TELEGRAM_START_LIMIT = 64
MAX_START_LIMIT = 128


@dataclass(frozen=True, slots=True)
class BotNames:
    """The bots a code opens: Telegram's @username and MAX's public name; at least one."""

    telegram: str | None = None
    max: str | None = None

    def __post_init__(self) -> None:
        if not (self.telegram or self.max):
            raise ValueError("name a Telegram bot, a MAX bot, or both")


def _fits(code: str, limit: int) -> str:
    if len(code) > limit:
        raise ValueError(f"a code of {len(code)} characters does not fit a start link ({limit})")
    return code


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that opens the bot and sends it ``/start <code>``."""
    return f"https://t.me/{bot_username}?start={_fits(code, TELEGRAM_START_LIMIT)}"


def max_deep_link(bot_name: str, code: str) -> str:
    """The MAX link that opens the bot, which gets ``code`` as its ``bot_started`` payload."""
    return f"https://max.ru/{bot_name}?start={_fits(code, MAX_START_LIMIT)}"


def _links(bots: BotNames, code: str) -> list[tuple[str, str]]:
    """(label msgid, link) for each configured messenger, Telegram first."""
    links = []
    if bots.telegram:
        links.append((_IN_TELEGRAM, deep_link(bots.telegram, code)))
    if bots.max:
        links.append((_IN_MAX, max_deep_link(bots.max, code)))
    return links


def _local(at: datetime, timezone: ZoneInfo) -> datetime:
    return at.astimezone(timezone)


def render_csv(invites: Sequence[IssuedInvite], bots: BotNames, timezone: ZoneInfo) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER_WITH_MAX if bots.max else CSV_HEADER)
    for invite in invites:
        row = [
            invite.person_external_id,
            invite.person_kind,
            invite.person_name,
            ";".join(invite.class_names),
            invite.code,
            deep_link(bots.telegram, invite.code) if bots.telegram else "",
            _local(invite.expires_at, timezone).isoformat(timespec="minutes"),
        ]
        if bots.max:
            row.append(max_deep_link(bots.max, invite.code))
        writer.writerow(row)
    return buffer.getvalue()


_STYLE = """
body { font-family: sans-serif; margin: 1cm; }
.cards { display: flex; flex-wrap: wrap; gap: 0.5cm; }
.card { border: 1px dashed #888; padding: 0.4cm; width: 8.5cm; page-break-inside: avoid;
        break-inside: avoid; }
.card h2 { font-size: 13pt; margin: 0 0 0.2cm; }
.card p { font-size: 10pt; margin: 0.1cm 0; }
.card svg { display: block; margin: 0.2cm auto; }
.link { font-family: monospace; font-size: 8pt; word-break: break-all; }
"""
# Only on sheets with both messengers: the two codes side by side, as large as on a card with
# one (scale 3); with the longest names (32 characters on Telegram, 64 on MAX) they take 7.9 cm
# of the card's 8.5.
_PAIR_STYLE = """.pair { display: flex; gap: 0.1cm; }
.pair > div { flex: 1 1 0; text-align: center; }
.card .messenger { font-weight: bold; margin-bottom: 0; }
"""


def _qr(link: str) -> str:
    return segno.make_qr(link, error="m").svg_inline(scale=3)


def _link(link: str) -> str:
    return f'<p class="link">{html.escape(link)}</p>'


def _card(invite: IssuedInvite, bots: BotNames, timezone: ZoneInfo, _: Gettext) -> str:
    lines = [f"<h2>{html.escape(invite.person_name)}</h2>"]
    if invite.class_names:
        classes = html.escape(", ".join(invite.class_names))
        lines.append(f"<p>{html.escape(_(N_('Class')))}: {classes}</p>")
    if invite.students:
        children = html.escape("; ".join(invite.students))
        lines.append(f"<p>{html.escape(_(N_('Children')))}: {children}</p>")
    links = _links(bots, invite.code)
    if len(links) == 1:  # the sentence names the messenger; the card looks as before MAX
        scan = _SCAN if bots.telegram else _SCAN_MAX
        link = links[0][1]
        lines += [f"<p>{html.escape(_(scan))}</p>", _qr(link), _link(link)]
    else:  # side by side, each under its messenger's name
        lines.append(f"<p>{html.escape(_(_SCAN_EITHER))}</p>")
        blocks = (
            f'<div><p class="messenger">{html.escape(_(label))}</p>\n{_qr(link)}\n{_link(link)}'
            "</div>"
            for label, link in links
        )
        lines.append('<div class="pair">' + "\n".join(blocks) + "</div>")
    expires = f"{_local(invite.expires_at, timezone):%d.%m.%Y %H:%M}"
    lines.append(
        f"<p>{html.escape(_(N_('Valid until {date}; works once.')).format(date=expires))}</p>"
    )
    return '<div class="card">' + "\n".join(lines) + "</div>"


def render_html(
    invites: Sequence[IssuedInvite], bots: BotNames, timezone: ZoneInfo, gettext: Gettext
) -> str:
    title = html.escape(gettext(N_("Invitations to the school journal bot")))
    cards = "\n".join(_card(invite, bots, timezone, gettext) for invite in invites)
    style = _STYLE + _PAIR_STYLE if bots.telegram and bots.max else _STYLE
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head>\n<body><h1>{title}</h1>\n"
        f'<div class="cards">\n{cards}\n</div></body></html>\n'
    )


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` for its owner only; never overwrite (an old sheet may still be needed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
        out.write(text)


def write_sheets(
    invites: Sequence[IssuedInvite],
    *,
    directory: Path,
    label: str,
    bots: BotNames,
    timezone: ZoneInfo,
    now: datetime,
    gettext: Gettext,
) -> tuple[Path, Path]:
    """Write ``invites-<label>-<time>.csv`` and ``.html`` in ``directory``; return both paths."""
    safe = re.sub(r"[^\w-]+", "_", label).strip("_") or "invites"
    stem = f"invites-{safe}-{_local(now, timezone):%Y%m%d-%H%M%S}"
    directory.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = directory / f"{stem}.csv", directory / f"{stem}.html"
    # UTF-8 with a BOM: spreadsheet programs on Windows then read the Cyrillic names right.
    _write_private(csv_path, "\ufeff" + render_csv(invites, bots, timezone))
    _write_private(html_path, render_html(invites, bots, timezone, gettext))
    return csv_path, html_path
